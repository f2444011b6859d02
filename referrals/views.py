import re
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from members import text
from members.excel import send_export
from members.forms import ReasonForm
from members.models import MIN_AGE, Member, Status, age_on, birthday
from referrals import services
from referrals.export import export_referrals
from referrals.filters import ReferralFilter
from referrals.forms import (
    AdmitForm,
    AdmitManyForm,
    ReferralForm,
    ReviewForm,
    TrainingForm,
    TrainingManyForm,
)
from referrals.models import Joins, Referral, Stage
from reports.periods import year_asked
from reports.xlsx import decision_list_workbook, download
from unionapp import audit, submissions
from unionapp.forms import filters_set, row_id
from unionapp.models import Kind, in_list_order
from unionapp.paging import FilteredPaginator
from unionapp.scoping import Cap, get_in_scope, requires
from unionapp.transactions import all_or_none


def scoped_referrals(request, cap=Cap.VIEW_MEMBERS):
    return request.scope.filter(Referral.objects.all(), cap, via="cell__")


def get_referral(request, pk, cap) -> Referral:
    """404 outside the scope; 403 without ``cap`` on the referral's cell."""
    referral = get_in_scope(scoped_referrals(request).select_related("cell", "introducer", "member"), pk=pk)
    request.scope.check(referral.cell, cap)
    return referral


@requires(Cap.LOG_REFERRALS)
@submissions.once
def referral_create(request: HttpRequest) -> HttpResponse:
    form = ReferralForm(request.POST or None, scope=request.scope, initial=_initial_from_query(request))
    if request.method == "POST" and form.is_valid():
        try:
            referral = submissions.save_once(
                request, lambda: services.log_referral(referral=form.save(commit=False), by=request.user)
            )
        except services.ReferralError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("Đã ghi nhận giới thiệu %(name)s.") % {"name": referral.full_name})
            if "save_add" in request.POST:
                return redirect("referral_create")
            return redirect("referral_detail", pk=referral.pk)
    return render(request, "referrals/referral_form.html", {"form": form})


@requires(Cap.LOG_REFERRALS)
def referral_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an open referral with the form it was logged with."""
    referral = get_referral(request, pk, Cap.LOG_REFERRALS)
    if not referral.is_open:
        messages.error(request, _("Hồ sơ đã kết thúc, không sửa được nữa."))
        return redirect("referral_detail", pk=pk)
    by = ReferralForm.BY_MEMBER if referral.introducer_id else ReferralForm.BY_COLLECTIVE
    form = ReferralForm(request.POST or None, instance=referral, scope=request.scope, initial={"introduced_by": by})
    if referral.stage != Stage.INTRODUCED:
        form.fields["cell"].disabled = True
        form.fields["cell"].help_text = _("Hồ sơ đã vào lớp bồi dưỡng ở chi đoàn này.")
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_referral(referral=form.save(commit=False), by=request.user)
        except services.ReferralError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("Đã lưu hồ sơ %(name)s.") % {"name": referral.full_name})
            return redirect("referral_detail", pk=pk)
    return render(request, "referrals/referral_form.html", {"form": form, "referral": referral})


def _initial_from_query(request) -> dict:
    """Start the form from a member's page: that member introduces, in their cell."""
    initial = {}
    pk = row_id(request.GET.get("introducer"))
    if pk:
        member = request.scope.filter(Member.objects.all(), Cap.LOG_REFERRALS, via="cell__").filter(pk=pk).first()
        if member:
            initial.update(introducer=member.pk, cell=member.cell_id)
    return initial


@requires(Cap.LOG_REFERRALS)
def introducer_search(request: HttpRequest) -> JsonResponse:
    """Members who may introduce, for the searchable select: accent-insensitive, in scope, 20 at most."""
    members = request.scope.filter(Member.objects.filter(status__in=Status.COUNTED), Cap.LOG_REFERRALS, via="cell__")
    cell = row_id(request.GET.get("cell"))
    if cell:
        members = members.filter(cell_id=cell)
    members = members.search(request.GET.get("q", ""))[:20]
    return JsonResponse(
        {"results": [{"id": m.pk, "text": f"{m.full_name} — {m.date_of_birth:%d/%m/%Y}"} for m in members]}
    )


REFERRAL_ORDER = ("-introduced_on", "-pk")


def filtered_referrals(request):
    """The referral list's filter and its rows, in its order (the page and the spreadsheet agree)."""
    units = request.scope.units(Cap.VIEW_MEMBERS).filter(is_active=True).order_by("path")
    qs = scoped_referrals(request).select_related("cell", "introducer")
    f = ReferralFilter(request.GET or None, queryset=qs, unit_queryset=units)
    results = f.qs if f.is_bound and f.is_valid() else (qs.none() if f.is_bound else qs)
    return f, results.order_by(*REFERRAL_ORDER)


@requires(Cap.VIEW_MEMBERS)
def referral_list(request: HttpRequest) -> HttpResponse:
    f, results = filtered_referrals(request)
    page = FilteredPaginator(results, 50, order=REFERRAL_ORDER).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "referrals/referral_list.html",
        {
            "filter": f,
            "page": page,
            "query_string": params.urlencode(),
            "more_filters": filters_set(f.form),
            "can_log": request.scope.has(Cap.LOG_REFERRALS),
        },
    )


@requires(Cap.VIEW_MEMBERS)
def referral_export(request: HttpRequest) -> FileResponse:
    """The referral list, as filtered, as a spreadsheet (every row, not one page)."""
    _f, results = filtered_referrals(request)
    return send_export(
        request,
        export_referrals(results),
        filename=f"gioi-thieu-1+1-{timezone.localdate():%Y%m%d}.xlsx",
        changes={"referrals": request.GET.urlencode() or "*"},
    )


@requires(Cap.VIEW_MEMBERS)
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_referral(request, pk, Cap.VIEW_MEMBERS)
    scope = request.scope
    events = list(referral.events.select_related("by"))
    context = {
        "referral": referral,
        "events": events,
        "can_move": scope.can(Cap.LOG_REFERRALS, referral.cell),
        "can_approve": scope.can(Cap.APPROVE_ADMISSIONS, referral.cell),
        # An admission recorded today by mistake can be undone (the step page says whether its member still can go).
        "can_undo": referral.stage == Stage.ADMITTED
        and scope.can(Cap.APPROVE_ADMISSIONS, referral.cell)
        and services.admitted_today(events),
        # A closing recorded today by mistake can be undone too (the step page says whether it still can).
        "reopen_step": next(
            (
                step
                for step, stage in REOPENS.items()
                if referral.stage == stage
                and scope.can(STEPS[step][0], referral.cell)
                and services.closed_today(events, stage) is not None
            ),
            None,
        ),
        "breadcrumbs": scope.breadcrumbs(referral.cell),
        "audit_events": audit.with_rows(audit.for_object(referral)[:50])
        if scope.can(Cap.LOG_REFERRALS, referral.cell)
        else None,
    }
    return render(request, "referrals/referral_detail.html", context)


# Each step: the capability it needs, its form, and the service call.
STEPS = {
    "training": (Cap.LOG_REFERRALS, gettext_lazy("Vào lớp bồi dưỡng")),
    "review": (Cap.LOG_REFERRALS, gettext_lazy("Chi đoàn họp xét")),
    "admit": (Cap.APPROVE_ADMISSIONS, gettext_lazy("Chuẩn y kết nạp")),
    "refuse": (Cap.APPROVE_ADMISSIONS, gettext_lazy("Không kết nạp")),
    "withdraw": (Cap.LOG_REFERRALS, gettext_lazy("Rút hồ sơ")),
    "unadmit": (Cap.APPROVE_ADMISSIONS, gettext_lazy("Hủy chuẩn y (ghi nhầm)")),
    "back": (Cap.LOG_REFERRALS, gettext_lazy("Trở lại bước trước (ghi nhầm)")),
    # A closing by mistake, undone the same day by those who may close that way.
    "unrefuse": (Cap.APPROVE_ADMISSIONS, gettext_lazy("Mở lại hồ sơ không kết nạp (ghi nhầm)")),
    "unwithdraw": (Cap.LOG_REFERRALS, gettext_lazy("Mở lại hồ sơ đã rút (ghi nhầm)")),
}
# The stage each reopening step undoes.
REOPENS = {"unrefuse": Stage.NOT_ADMITTED, "unwithdraw": Stage.WITHDRAWN}


def _step_form(step, referral, data):
    today = timezone.localdate()
    if step == "training":
        return TrainingForm(data, initial={"start": today})
    if step == "review":
        return ReviewForm(data, initial={"review_date": today})
    if step == "admit":
        return AdmitForm(data, cells=services.admission_cells(referral), initial={"cell": referral.cell_id})
    return ReasonForm(data)


def _run_step(step, referral, by, d):
    if step == "training":
        return services.start_training(
            referral=referral, by=by, course_name=d["course_name"], start=d["start"], end=d["end"]
        )
    if step == "review":
        return services.record_review(
            referral=referral,
            by=by,
            review_date=d["review_date"],
            votes_for=d["votes_for"],
            votes_present=d["votes_present"],
        )
    if step == "admit":
        return services.admit(
            referral=referral,
            by=by,
            decision_number=d["decision_number"],
            decision_date=d["decision_date"],
            cell=d["cell"],
        )
    if step == "refuse":
        return services.refuse(referral=referral, by=by, reason=d["reason"])
    if step == "unadmit":
        return services.undo_admission(referral=referral, by=by, reason=d["reason"])
    if step == "back":
        return services.step_back(referral=referral, by=by, reason=d["reason"])
    if step in REOPENS:
        return services.reopen(referral=referral, stage=REOPENS[step], by=by, reason=d["reason"])
    return services.withdraw(referral=referral, by=by, reason=d["reason"])


@requires(Cap.LOG_REFERRALS, Cap.APPROVE_ADMISSIONS)
@submissions.once  # a step sent again once recorded: to where it led, not "already at this stage"
def referral_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One step of one referral. Cell secretaries move it along, approvers (base union and district
    staff) admit or refuse it: each step checks its own capability."""
    if step not in STEPS:
        raise Http404
    cap, title = STEPS[step]
    if not request.scope.has(cap):
        raise PermissionDenied
    referral = get_referral(request, pk, cap)
    if step == "unadmit" and (refusal := services.undo_refused(referral)):
        messages.error(request, refusal)
        return redirect("referral_detail", pk=referral.pk)
    if step == "back" and (refusal := services.step_back_refused(referral)):
        messages.error(request, refusal)
        return redirect("referral_detail", pk=referral.pk)
    if step in REOPENS and (refusal := services.reopen_refused(referral, REOPENS[step])):
        messages.error(request, refusal)
        return redirect("referral_detail", pk=referral.pk)
    form = _step_form(step, referral, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            submissions.save_once(
                request,
                lambda: _run_step(step, referral, request.user, form.cleaned_data),
                url=lambda _done: safe_next(request) or reverse("referral_detail", args=[pk]),
            )
        except services.ReferralError as e:
            form.add_error(None, str(e))
        else:
            messages.success(
                request, _("Đã cập nhật hồ sơ %(name)s: %(step)s.") % {"name": referral.full_name, "step": title}
            )
            return redirect(safe_next(request) or reverse("referral_detail", args=[pk]))
    # What an undoing step goes back to, said on its page (None once someone else has moved the referral on).
    closing = services.closed_today(referral.events.all(), REOPENS[step]) if step in REOPENS else None
    back = services.BACK.get(referral.stage) if step == "back" else None
    return render(
        request,
        "referrals/referral_step.html",
        {
            "form": form,
            "referral": referral,
            "title": title,
            "step": step,
            "next": safe_next(request),
            "reopens_at": Stage(closing.from_stage).label if closing else None,
            "back_to": Stage(back[0]).label if back else None,
        },
    )


def safe_next(request) -> str:
    """Where to go back to after a step (the board the step was started from), if it is ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return target if target and ok else ""


def board_cell(request: HttpRequest, unit, cells=None):
    """The cell of a base union's board (or of a step for a list started from it) that ``?cell=`` asks for,
    or None. Only a cell of this unit (the scope check was the unit's): any other value is not found.
    ``cells``: the unit's cells, when the caller has them already."""
    chosen = request.GET.get("cell", "")
    if not chosen or unit.kind != Kind.BASE:
        return None
    pool = cells if cells is not None else unit.children.filter(kind=Kind.CELL)
    cell = next((c for c in pool if str(c.pk) == chosen), None)
    if cell is None:
        raise Http404
    return cell


def board_url(unit, cell=None) -> str:
    url = reverse("pipeline_board", args=[unit.pk])
    return f"{url}?cell={cell.pk}" if cell else url


BOARD_CARDS = 30  # per column of the board; the referral list has the rest


@requires(Cap.VIEW_MEMBERS)
def pipeline_board(request: HttpRequest, pk: int) -> HttpResponse:
    """Counts and names per stage for a cell or a base union, with each card's next action. A base union's
    board can show one of its cells (``?cell=``): a commune union holds hundreds of open referrals."""
    unit = request.scope.get_unit(pk, Cap.VIEW_MEMBERS)
    if unit.kind not in (Kind.CELL, Kind.BASE):
        raise Http404
    cells = in_list_order(unit.children.filter(kind=Kind.CELL)) if unit.kind == Kind.BASE else []
    cell = board_cell(request, unit, cells)
    today = timezone.localdate()
    year = today.year
    shown = cell or unit
    referrals = Referral.objects.filter(shown.subtree_q("cell__"))
    counts = dict(
        referrals.filter(Q(stage__in=Stage.OPEN) | Q(stage__in=Stage.CLOSED, introduced_on__year=year))
        .values_list("stage")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # The longest waiting of each column: a commune union's board would otherwise draw every open referral.
    waiting = [F("introduced_on").asc(), F("pk").asc()]
    open_cards = list(
        referrals.filter(stage__in=Stage.OPEN)
        .select_related("cell", "introducer")
        .annotate(place=Window(RowNumber(), partition_by=F("stage"), order_by=waiting))
        .filter(place__lte=BOARD_CARDS)
        .order_by(*waiting)
    )
    for r in open_cards:
        # A union candidate under 16 cannot be reviewed yet: the card says from when.
        young = r.joins == Joins.UNION and r.stage != Stage.REVIEWED and age_on(r.date_of_birth, today) < MIN_AGE
        r.reviewable_from = birthday(r.date_of_birth, MIN_AGE) if young else None
    columns = []
    for stage in Stage.OPEN:
        cards = [r for r in open_cards if r.stage == stage]
        count = counts.get(stage, 0)
        columns.append({"stage": stage, "label": Stage(stage).label, "cards": cards, "count": count,
                        "more": count - len(cards)})  # fmt: skip
    context = {
        "unit": unit,
        "cells": cells,
        "cell": cell,
        "shown": shown,
        "columns": columns,
        "closed": [(Stage(s).label, counts.get(s, 0)) for s in Stage.CLOSED],
        "year": year,
        "can_move": request.scope.can(Cap.LOG_REFERRALS, unit),
        "can_approve": request.scope.can(Cap.APPROVE_ADMISSIONS, unit),
        "breadcrumbs": request.scope.breadcrumbs(unit),
        "here": request.get_full_path(),
    }
    if context["can_approve"]:
        decisions = decisions_of(request, unit, year, limit=DECISIONS_SHOWN + 1)
        context["decisions"], context["more_decisions"] = decisions[:DECISIONS_SHOWN], len(decisions) > DECISIONS_SHOWN
    return render(request, "referrals/board.html", context)


# Steps taken for a list at once from a board: the capability, the stage the candidates are at, the title.
STEPS_FOR_MANY = {
    "training": (Cap.LOG_REFERRALS, Stage.INTRODUCED, gettext_lazy("Vào lớp bồi dưỡng theo danh sách")),
    "admit": (Cap.APPROVE_ADMISSIONS, Stage.REVIEWED, gettext_lazy("Chuẩn y kết nạp theo danh sách")),
}


@requires(Cap.LOG_REFERRALS, Cap.APPROVE_ADMISSIONS)
@submissions.once  # the list sent again once saved: back to the board, not "not a valid choice" for each name
def pipeline_many(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One course for a class of candidates, or one approval decision for a list, from the board of a
    cell or a base union: tick the referrals, fill the step's fields once; all or nothing."""
    if step not in STEPS_FOR_MANY:
        raise Http404
    cap, stage, title = STEPS_FOR_MANY[step]
    if not request.scope.has(cap):
        raise PermissionDenied
    unit = request.scope.get_unit(pk, cap)
    if unit.kind not in (Kind.CELL, Kind.BASE):
        raise Http404
    cell = board_cell(request, unit)  # started from a board showing one cell: that cell's candidates
    candidates = scoped_referrals(request, cap).filter((cell or unit).subtree_q("cell__"), stage=stage)
    joins, joins_counts = None, {}
    if step == "admit":
        # One decision admits to the Union or to the Federation, not both.
        joins_counts = dict(candidates.values_list("joins").annotate(n=Count("pk")).order_by())
        joins = request.GET.get("joins")
        if joins not in Joins.values:
            joins = Joins.UNION if joins_counts.get(Joins.UNION) or not joins_counts else Joins.FEDERATION
        candidates = candidates.filter(joins=joins)
    form_class = AdmitManyForm if step == "admit" else TrainingManyForm
    initial = {"start": timezone.localdate()} if step == "training" else {}
    form = form_class(request.POST or None, candidates=candidates, initial=initial)
    refused = []
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        chosen = sorted(d.pop("referrals"), key=lambda r: r.pk)  # one order for the row locks
        if step == "admit":

            def each(r):
                services.admit(
                    referral=r, by=request.user, decision_number=d["decision_number"], decision_date=d["decision_date"]
                )

            done = ngettext(
                "Đã chuẩn y kết nạp %(n)s người theo quyết định số %(number)s.",
                "Đã chuẩn y kết nạp %(n)s người theo quyết định số %(number)s.",
                len(chosen),
            ) % {"n": len(chosen), "number": d["decision_number"]}
        else:

            def each(r):
                services.start_training(
                    referral=r, by=request.user, course_name=d["course_name"], start=d["start"], end=d["end"]
                )

            done = ngettext(
                "Đã ghi nhận %(n)s người vào “%(course)s”.", "Đã ghi nhận %(n)s người vào “%(course)s”.", len(chosen)
            ) % {"n": len(chosen), "course": d["course_name"]}
        refused = submissions.save_once(
            request,
            lambda: all_or_none(chosen, each, refusal=services.ReferralError),
            url=lambda refused: None if refused else board_url(unit, cell),
        )
        if not refused:
            messages.success(request, done)
            return redirect(board_url(unit, cell))
    chosen_ids = {str(v) for v in form["referrals"].value() or []}
    rows = []
    for r in sorted(
        candidates.select_related("cell", "introducer"),
        key=lambda r: (text.collation_key(r.cell.name), text.collation_key(r.full_name)),
    ):
        who = [
            f"{r.date_of_birth:%d/%m/%Y}",
            *([r.cell.name] if (cell or unit).kind != Kind.CELL else []),
            r.introducer_label,
        ]
        if step == "admit":
            when = _("Chi đoàn họp xét ngày %(day)s: %(yes)s/%(present)s tán thành") % {
                "day": f"{r.review_date:%d/%m/%Y}", "yes": r.votes_for, "present": r.votes_present,
            }  # fmt: skip
        else:
            when = _("Giới thiệu ngày %(day)s") % {"day": f"{r.introduced_on:%d/%m/%Y}"}
        rows.append(
            {"pk": r.pk, "title": r.full_name, "lines": [" · ".join(who), when], "checked": str(r.pk) in chosen_ids}
        )
    return render(
        request,
        "referrals/pipeline_many.html",
        {
            "unit": unit,
            "cell": cell,
            "board": board_url(unit, cell),
            "step": step,
            "title": title,
            "form": form,
            "rows": rows,
            "refused": refused,
            "joins": joins,
            "joins_tabs": [(j, Joins(j).label, joins_counts.get(j, 0)) for j in Joins.values]
            if step == "admit"
            else [],
            "breadcrumbs": request.scope.breadcrumbs(unit),
        },
    )


def admitted_under(request, unit):
    """Admissions into the cells under ``unit`` that the user may approve there: what its decisions cover."""
    return scoped_referrals(request, Cap.APPROVE_ADMISSIONS).filter(
        unit.subtree_q("admitted_cell__"), stage=Stage.ADMITTED
    )


def decisions_of(request, unit, year: int, limit: int | None = None) -> list[dict]:
    """The approval decisions of ``year`` in the unit's subtree, newest first: number, date, Union or
    Federation, how many people (one grouped query); the first ``limit`` of them. A unit issues a few dozen
    a year, ordered here so that of one day's decisions "10-QĐ/ĐTN" comes before "9-QĐ/ĐTN"."""
    rows = (
        admitted_under(request, unit)
        .filter(decision_date__year=year)
        .values_list("decision_number", "decision_date", "joins")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = sorted(rows, key=lambda row: (row[1], number_order(row[0])), reverse=True)
    return [{"number": number, "date": day, "joins": joins, "n": n} for number, day, joins, n in rows[:limit]]


_DIGITS = re.compile(r"([0-9]+)")


def number_order(number: str) -> list:
    """Order of document numbers as people read them: the digits as numbers ("9-QĐ" before "10-QĐ")."""
    # split() alternates text and the captured runs of digits: text at even places, digits at odd ones.
    return [(int(part), "") if i % 2 else (-1, part) for i, part in enumerate(_DIGITS.split(number))]


DECISIONS_SHOWN = 12  # on a board; the decisions page has them all


@requires(Cap.APPROVE_ADMISSIONS)
def decision_index(request: HttpRequest, pk: int) -> HttpResponse:
    """Every approval decision of one year for a cell or a base union, with its list and its correction:
    the board shows the newest few of this year only."""
    unit = request.scope.get_unit(pk, Cap.APPROVE_ADMISSIONS)
    if unit.kind not in (Kind.CELL, Kind.BASE):
        raise Http404
    this_year = timezone.localdate().year
    years = sorted(
        {d.year for d in admitted_under(request, unit).dates("decision_date", "year")} | {this_year}, reverse=True
    )
    year = year_asked(request.GET, years, this_year)
    context = {
        "unit": unit,
        "year": year,
        "years": years,
        "decisions": decisions_of(request, unit, year),
        "breadcrumbs": request.scope.breadcrumbs(unit),
    }
    return render(request, "referrals/decision_index.html", context)


def get_decision(request, unit):
    """The referrals one approval decision admitted in the unit's subtree, from the query string (number,
    date, Union or Federation): 404 for anything else, a decision outside the scope included."""
    number, joins = text.nfc(request.GET.get("number")), request.GET.get("joins")
    try:
        day = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        raise Http404 from None
    admitted = admitted_under(request, unit).filter(decision_number=number, decision_date=day, joins=joins)
    rows = sorted(
        admitted.select_related("admitted_cell", "introducer"),
        key=lambda r: (text.collation_key(r.admitted_cell.name), text.collation_key(r.full_name)),
    )
    if not rows:
        raise Http404
    return number, day, joins, rows


@requires(Cap.APPROVE_ADMISSIONS)
def decision_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The list attached to one approval decision (its number, date, Union or Federation), as a Union
    document in Excel: the people it admitted in the unit's subtree."""
    unit = request.scope.get_unit(pk, Cap.APPROVE_ADMISSIONS)
    number, day, joins, rows = get_decision(request, unit)
    wb = decision_list_workbook(unit, number, day, joins, rows)
    slug = re.sub(r"[^a-z0-9]+", "-", text.fold(number)).strip("-") or "qd"
    return download(request, wb, unit=unit, filename=f"danh-sach-ket-nap-{slug}-{day:%Y%m%d}.xlsx",
                    changes={"decision": f"{number} {day:%d/%m/%Y}"})  # fmt: skip


@requires(Cap.APPROVE_ADMISSIONS)
def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the number or date of one approval decision on everyone it admitted."""
    unit = request.scope.get_unit(pk, Cap.APPROVE_ADMISSIONS)
    number, day, joins, rows = get_decision(request, unit)
    form = AdmitForm(request.POST or None, initial={"decision_number": number, "decision_date": day})
    back = reverse("pipeline_board" if unit.kind in (Kind.CELL, Kind.BASE) else "unit_detail", args=[unit.pk])
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.correct_decision(
                referrals=rows, number=d["decision_number"], day=d["decision_date"], by=request.user
            )
        except services.ReferralError as e:
            form.add_error(None, str(e))
        else:
            messages.success(
                request,
                ngettext(
                    "Đã sửa quyết định: số %(number)s ngày %(day)s, %(n)s người.",
                    "Đã sửa quyết định: số %(number)s ngày %(day)s, %(n)s người.",
                    len(rows),
                )
                % {"number": d["decision_number"], "day": f"{d['decision_date']:%d/%m/%Y}", "n": len(rows)},
            )
            return redirect(back)
    return render(
        request,
        "referrals/decision_edit.html",
        {"unit": unit, "number": number, "day": day, "joins": joins, "rows": rows, "form": form, "back": back,
         "breadcrumbs": request.scope.breadcrumbs(unit)},
    )  # fmt: skip
