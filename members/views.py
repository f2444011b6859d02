import os
import secrets
import time

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from members import excel, services
from members.filters import MemberFilter
from members.forms import (
    CellRatingForm,
    MaturedForm,
    MemberForm,
    ReasonForm,
    RefuseTransferForm,
    StatusForm,
    TransferForm,
)
from members.models import ImportBatch, Member, Status, Transfer, YearRating, age_on
from referrals.models import Referral
from reports.periods import rating_years
from unionapp import audit, submissions
from unionapp.forms import filters_set, row_id
from unionapp.models import Kind
from unionapp.paging import FilteredPaginator
from unionapp.scoping import Cap, get_in_scope, requires
from unionapp.transactions import all_or_none

PAGE_SIZE = 50
# Uploads wait here between the dry run and the commit; named by a random token kept in the session.
IMPORT_DIR = os.path.join(settings.BASE_DIR, "var", "imports")


def scoped_members(request, cap=Cap.VIEW_MEMBERS):
    return request.scope.filter(Member.objects.all(), cap, via="cell__")


def get_member(request, pk, cap=Cap.VIEW_MEMBERS) -> Member:
    """The member if in scope (404 otherwise), and 403 when the user lacks ``cap`` on their cell."""
    member = get_in_scope(scoped_members(request).select_related("cell"), pk=pk)
    request.scope.check(member.cell, cap)
    return member


def shows_ids(request, unit) -> bool:
    """Citizen IDs are shown in full only to those who keep the register of that unit."""
    return request.scope.can(Cap.EDIT_MEMBERS, unit)


def member_filter(request) -> MemberFilter:
    """The member list's filter, over the user's scope (the page and its spreadsheet agree)."""
    units = request.scope.units(Cap.VIEW_MEMBERS).filter(is_active=True).order_by("path")
    return MemberFilter(request.GET or None, scope=request.scope, unit_queryset=units)


@requires(Cap.VIEW_MEMBERS)
def member_list(request: HttpRequest) -> HttpResponse:
    f = member_filter(request)
    results = f.results()
    page = FilteredPaginator(results, PAGE_SIZE, order=("sort_key", "pk")).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "members/member_list.html",
        {
            "filter": f,
            "page": page,
            "query_string": params.urlencode(),
            "more_filters": filters_set(f.form),
            "can_edit": request.scope.has(Cap.EDIT_MEMBERS),
        },
    )


@requires(Cap.VIEW_MEMBERS)
def member_list_export(request: HttpRequest) -> HttpResponse:
    """The member list as filtered, every row (not one page), in the register's spreadsheet: those working away,
    those past 30, those who have not yet introduced anyone, for the office's own follow-up."""
    f = member_filter(request)
    if f.is_bound and not f.is_valid():
        if "unit" in f.form.errors:  # a unit out of scope (or closed): as if it did not exist
            raise Http404
        return redirect(f"{reverse('member_list')}?{request.GET.urlencode()}")  # the list says what is wrong
    unit = f.form.cleaned_data.get("unit") if f.is_bound else None
    # Citizen IDs in full only when the reader keeps the register of every cell the list may hold.
    show_ids = set(request.scope.cell_ids(Cap.EDIT_MEMBERS, within=unit)) >= set(
        request.scope.cell_ids(Cap.VIEW_MEMBERS, within=unit)
    )
    path = excel.export_register(f.results().order_by("cell__path", "sort_key", "pk"), show_ids=show_ids)
    return excel.send_export(
        request,
        path,
        filename=f"danh-sach-doan-vien-{timezone.localdate():%Y%m%d}.xlsx",
        changes={"members": request.GET.urlencode() or "*"},
    )


@requires(Cap.VIEW_MEMBERS)
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_member(request, pk)
    events = list(member.status_events.select_related("recorded_by", "from_cell", "to_cell"))
    today = timezone.localdate()
    can_edit = request.scope.can(Cap.EDIT_MEMBERS, member.cell)
    year = today.year
    transfers = list(member.transfers.select_related("to_cell", "from_cell"))
    introduced = list(member.referrals.filter(introduced_on__year=year).order_by("introduced_on"))
    context = {
        "year": year,
        "introduced": introduced,
        "met_one_plus_one": bool(introduced),
        "can_log": request.scope.can(Cap.LOG_REFERRALS, member.cell),
        "admission": Referral.objects.filter(member=member).select_related("introducer").first(),
        "member": member,
        "events": events,
        "ratings": member.ratings.all(),
        "transfers": transfers,
        "stay": next((t for t in transfers if t.runs_on(today)), None),
        "today": today,
        "can_edit": can_edit,
        # The latest event, recorded today, may be undone (the checks cost queries only then).
        "can_undo_status": can_edit
        and bool(events)
        and timezone.localdate(events[0].recorded_at) == today
        and services.status_undo_refused(member) is None,
        "show_id": shows_ids(request, member.cell),
        "deletable": request.scope.can(Cap.EDIT_MEMBERS, member.cell) and services.deletable(member),
        "breadcrumbs": request.scope.breadcrumbs(member.cell),
        "audit_events": audit.with_rows(audit.for_object(member)[:50])
        if request.scope.can(Cap.EDIT_MEMBERS, member.cell)
        else None,
    }
    return render(request, "members/member_detail.html", context)


@requires(Cap.EDIT_MEMBERS)
@submissions.once
def member_create(request: HttpRequest) -> HttpResponse:
    initial = {}
    if "cell" in request.GET:
        initial["cell"] = request.GET["cell"]
    form = MemberForm(request.POST or None, scope=request.scope, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            member = submissions.save_once(
                request, lambda: services.save_member(member=form.save(commit=False), by=request.user)
            )
        except IntegrityError:  # the same citizen ID saved a moment ago by someone else: checked again, it says so
            form = MemberForm(request.POST, scope=request.scope, initial=initial)
            form.is_valid()
            return render(request, "members/member_form.html", {"form": form, "creating": True})
        messages.success(request, _("Đã thêm đoàn viên %(name)s.") % {"name": member.full_name})
        if "save_add" in request.POST:
            return redirect(f"{request.path}?cell={member.cell_id}")
        return redirect("member_detail", pk=member.pk)
    return render(request, "members/member_form.html", {"form": form, "creating": True})


@requires(Cap.EDIT_MEMBERS)
@submissions.once  # sent again once saved: to the member, not "someone else changed this record"
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_member(request, pk, Cap.EDIT_MEMBERS)
    form = MemberForm(request.POST or None, instance=member, scope=request.scope)
    if request.method == "POST" and form.is_valid():
        try:
            submissions.save_once(
                request,
                lambda: services.save_member(
                    member=form.save(commit=False), by=request.user, expected_version=form.cleaned_data["version"]
                ),
            )
        except services.StaleEdit as e:
            form.add_error(None, str(e))
        except IntegrityError:  # as on creation
            form = MemberForm(request.POST, instance=get_member(request, pk, Cap.EDIT_MEMBERS), scope=request.scope)
            form.is_valid()
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("member_detail", pk=member.pk)
    return render(request, "members/member_form.html", {"form": form, "member": member})


@requires(Cap.EDIT_MEMBERS)
@submissions.once  # sent again once recorded: to the member, not "choose a valid status"
def member_status(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_member(request, pk, Cap.EDIT_MEMBERS)
    if refusal := services.status_change_refused(member):
        messages.error(request, refusal)  # the member's page shows the transfer, and its "Rút lại"
        return redirect(member)
    form = StatusForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            submissions.save_once(
                request,
                lambda: services.change_status(
                    member=member,
                    to_status=form.cleaned_data["to_status"],
                    on=form.cleaned_data["date"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                ),
                url=lambda _changed: member.get_absolute_url(),
            )
        except services.RegisterError as e:
            form.add_error(None, str(e))
        else:
            messages.success(
                request, _("Đã ghi nhận biến động. Nếu ghi nhầm, hôm nay vẫn hủy được: “Hủy biến động (ghi nhầm)”.")
            )
            return redirect("member_detail", pk=member.pk)
    return render(
        request, "members/member_action.html", {"form": form, "member": member, "title": _("Ghi nhận biến động")}
    )


@requires(Cap.EDIT_MEMBERS)
@submissions.once  # sent again once undone: to the member, not "no status change to undo"
def member_status_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """The latest status change, recorded today by mistake, undone after a confirmation with a reason."""
    member = get_member(request, pk, Cap.EDIT_MEMBERS)
    if refusal := services.status_undo_refused(member):
        messages.error(request, refusal)
        return redirect(member)
    event = member.status_events.select_related("recorded_by").first()
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            submissions.save_once(
                request,
                lambda: services.undo_status(member=member, by=request.user, reason=form.cleaned_data["reason"]),
                url=lambda _undone: member.get_absolute_url(),
            )
        except services.RegisterError as e:
            messages.error(request, str(e))
        else:
            messages.success(
                request,
                _("Đã hủy biến động. %(name)s trở lại tình trạng “%(status)s”.")
                % {"name": member.full_name, "status": Status(event.from_status).label},
            )
        return redirect(member)
    context = {"form": form, "member": member, "event": event, "breadcrumbs": request.scope.breadcrumbs(member.cell)}
    return render(request, "members/status_undo.html", context)


@requires(Cap.EDIT_MEMBERS)
@submissions.once  # sent again once recorded: to the member, not "a transfer is already waiting"
def member_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_member(request, pk, Cap.EDIT_MEMBERS)
    if refusal := services.move_refused(member):
        messages.error(request, refusal)
        return redirect(member)
    form = TransferForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        to_cell, d = form.cleaned_data["to_cell_code"], form.cleaned_data
        both_ours = request.scope.can(Cap.EDIT_MEMBERS, to_cell)

        def transfer() -> tuple[int, str]:
            """The move, stay or request the form asks for; what to tell the secretary."""
            if d["until"]:
                services.request_transfer(
                    member=member,
                    to_cell=to_cell,
                    on=d["date"],
                    until=d["until"],
                    reason=d["reason"],
                    by=request.user,
                    accepted=both_ours,
                )
                values = {"cell": to_cell.name, "d": f"{d['until']:%d/%m/%Y}"}
                if both_ours:
                    return messages.SUCCESS, _("Đã ghi nhận sinh hoạt tạm thời tại %(cell)s đến ngày %(d)s.") % values
                return messages.INFO, _(
                    "Đã gửi đề nghị sinh hoạt tạm thời tại %(cell)s đến ngày %(d)s, chờ chi đoàn đó tiếp nhận."
                ) % values
            if both_ours:
                services.move_member(member=member, to_cell=to_cell, on=d["date"], reason=d["reason"], by=request.user)
                return messages.SUCCESS, _("Đã chuyển đoàn viên sang %(cell)s.") % {"cell": to_cell.name}
            services.request_transfer(member=member, to_cell=to_cell, on=d["date"], reason=d["reason"], by=request.user)
            return messages.INFO, _(
                "Đã gửi yêu cầu chuyển sinh hoạt tới %(cell)s. Đoàn viên vẫn thuộc chi đoàn cũ cho đến khi được tiếp nhận."
            ) % {"cell": to_cell.name}

        try:
            level, said = submissions.save_once(request, transfer, url=lambda _said: member.get_absolute_url())
        except services.RegisterError as e:
            form.add_error(None, str(e))
        else:
            messages.add_message(request, level, said)
            return redirect("member_detail", pk=member.pk)
    return render(
        request, "members/member_action.html", {"form": form, "member": member, "title": _("Chuyển sinh hoạt")}
    )


@requires(Cap.EDIT_MEMBERS)
@submissions.once  # sent again once deleted: to the cell, not "not found"
def member_delete(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_member(request, pk, Cap.EDIT_MEMBERS)
    if request.method == "POST":
        try:
            submissions.save_once(
                request,
                lambda: services.delete_member(member=member, by=request.user),
                url=lambda _deleted: reverse("unit_detail", args=[member.cell_id]),
            )
        except services.RegisterError as e:
            messages.error(request, str(e))
            return redirect("member_detail", pk=member.pk)
        messages.success(request, _("Đã xóa hồ sơ %(name)s.") % {"name": member.full_name})
        return redirect("unit_detail", pk=member.cell_id)
    if refusal := services.deletion_refused(member):
        messages.error(request, refusal)
        return redirect("member_detail", pk=member.pk)
    return render(request, "members/member_delete.html", {"member": member})


@requires(Cap.EDIT_MEMBERS)
def transfer_list(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    pending = Transfer.objects.filter(state=Transfer.State.PENDING).select_related("member", "from_cell", "to_cell")
    incoming = pending.filter(scope.q(Cap.EDIT_MEMBERS, via="to_cell__"))
    outgoing = pending.filter(scope.q(Cap.EDIT_MEMBERS, via="from_cell__"))
    today = timezone.localdate()
    stays = (
        Transfer.objects.stays_on(today)
        .select_related("member", "from_cell", "to_cell")
        .order_by("until", "member__full_name")
    )
    return render(
        request,
        "members/transfer_list.html",
        {
            "incoming": incoming,
            "outgoing": outgoing,
            "form": RefuseTransferForm(),
            # Members of other cells taking part here for a while, and ours taking part elsewhere.
            "hosted": stays.filter(scope.q(Cap.EDIT_MEMBERS, via="to_cell__")),
            "away": stays.filter(scope.q(Cap.EDIT_MEMBERS, via="from_cell__")),
            "today": today,
        },
    )


@require_POST
@requires(Cap.EDIT_MEMBERS)
def transfer_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The sending cell takes back a request the other cell has not decided yet."""
    transfer = get_outgoing_transfer(request, pk)
    try:
        services.withdraw_transfer(transfer=transfer, by=request.user)
    except services.RegisterError as e:
        messages.error(request, str(e))
    else:
        messages.info(
            request,
            _("Đã rút lại yêu cầu chuyển %(name)s sang %(cell)s.")
            % {"name": transfer.member.full_name, "cell": transfer.to_cell.name},
        )
    if request.POST.get("back") == "member":  # sent from the member's page
        return redirect("member_detail", pk=transfer.member_id)
    return redirect("transfer_list")


@require_POST
@requires(Cap.EDIT_MEMBERS)
def stay_end(request: HttpRequest, pk: int) -> HttpResponse:
    """A temporary transfer ends today: the member came back early (their own cell records it) or has left the
    host cell (the host records it). ``back``: "unit" for the host cell's page, "transfers" for the transfers."""
    stay = get_in_scope(
        Transfer.objects.filter(
            request.scope.q(Cap.EDIT_MEMBERS, via="from_cell__") | request.scope.q(Cap.EDIT_MEMBERS, via="to_cell__")
        ).select_related("member", "to_cell"),
        pk=pk,
    )
    try:
        services.end_stay(transfer=stay, on=timezone.localdate(), by=request.user)
    except services.RegisterError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("%(name)s đã kết thúc sinh hoạt tạm thời.") % {"name": stay.member.full_name})
    back = request.POST.get("back")
    if back == "unit":
        return redirect("unit_detail", pk=stay.to_cell_id)
    if back == "transfers":
        return redirect("transfer_list")
    return redirect("member_detail", pk=stay.member_id)


def get_outgoing_transfer(request, pk) -> Transfer:
    """A transfer from a cell the user keeps: the sender's to withdraw."""
    return get_in_scope(
        Transfer.objects.filter(request.scope.q(Cap.EDIT_MEMBERS, via="from_cell__")).select_related(
            "member", "to_cell"
        ),
        pk=pk,
    )


def get_incoming_transfer(request, pk) -> Transfer:
    return get_in_scope(
        Transfer.objects.filter(request.scope.q(Cap.EDIT_MEMBERS, via="to_cell__")).select_related("member", "to_cell"),
        pk=pk,
    )


@require_POST
@requires(Cap.EDIT_MEMBERS)
def transfer_accept(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = get_incoming_transfer(request, pk)
    try:
        services.decide_transfer(transfer=transfer, accept=True, by=request.user)
    except services.RegisterError as e:
        messages.error(request, str(e))
    else:
        values = {"name": transfer.member, "cell": transfer.to_cell}
        if transfer.is_temporary:
            values["d"] = f"{transfer.until:%d/%m/%Y}"
            messages.success(
                request, _("Đã tiếp nhận %(name)s sinh hoạt tạm thời tại %(cell)s đến ngày %(d)s.") % values
            )
        else:
            messages.success(request, _("Đã tiếp nhận %(name)s về %(cell)s.") % values)
    return redirect("transfer_list")


@require_POST
@requires(Cap.EDIT_MEMBERS)
def transfer_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = get_incoming_transfer(request, pk)
    form = RefuseTransferForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Hãy ghi lý do từ chối."))
        return redirect("transfer_list")
    try:
        services.decide_transfer(
            transfer=transfer, accept=False, by=request.user, refusal_reason=form.cleaned_data["refusal_reason"]
        )
    except services.RegisterError as e:
        messages.error(request, str(e))
    else:
        messages.info(request, _("Đã từ chối tiếp nhận %(name)s.") % {"name": transfer.member})
    return redirect("transfer_list")


@requires(Cap.EDIT_MEMBERS)
def cell_matured(request: HttpRequest, pk: int) -> HttpResponse:
    """Trưởng thành Đoàn: the cell's members past 30, ticked and recorded as matured out on one date, all or
    none (someone who still holds a Union post stays: leave them unticked)."""
    cell = request.scope.get_unit(pk, Cap.EDIT_MEMBERS)
    if cell.kind != Kind.CELL:
        raise Http404
    today = timezone.localdate()
    candidates = scoped_members(request, Cap.EDIT_MEMBERS).filter(cell=cell).past_max_age(today)
    form = MaturedForm(request.POST or None, candidates=candidates)
    refused = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        chosen = sorted(d["members"], key=lambda m: m.pk)  # one order for the row locks
        refused = all_or_none(
            chosen,
            lambda m: services.change_status(
                member=m, to_status=Status.MATURED, on=d["date"], reason=d["reason"], by=request.user
            ),
            refusal=services.RegisterError,
        )
        if not refused:
            n = len(chosen)
            messages.success(
                request,
                ngettext(
                    "Đã ghi nhận %(n)s đoàn viên trưởng thành Đoàn.",
                    "Đã ghi nhận %(n)s đoàn viên trưởng thành Đoàn.",
                    n,
                )
                % {"n": n},
            )
            return redirect("unit_detail", cell.pk)
    chosen_ids = {str(v) for v in form["members"].value() or []}
    rows = [
        {
            "pk": m.pk,
            "title": m.full_name,
            "lines": [
                f"{m.date_of_birth:%d/%m/%Y} · " + _("%(n)s tuổi") % {"n": age_on(m.date_of_birth, today)},
                m.get_status_display(),
            ],
            "checked": str(m.pk) in chosen_ids,
        }
        for m in candidates
    ]
    return render(
        request,
        "members/cell_matured.html",
        {
            "unit": cell,
            "form": form,
            "rows": rows,
            "refused": refused,
            "breadcrumbs": request.scope.breadcrumbs(cell),
        },
    )


@requires(Cap.EDIT_MEMBERS)
def cell_rating(request: HttpRequest, pk: int) -> HttpResponse:
    cell = request.scope.get_unit(pk, Cap.EDIT_MEMBERS)
    if cell.kind != Kind.CELL:
        raise Http404
    years, year = rating_years(request.GET)
    members = list(
        Member.objects.filter(cell=cell, status__in=Status.COUNTED).prefetch_related(
            Prefetch("ratings", queryset=YearRating.objects.filter(year=year), to_attr="year_ratings")
        )
    )
    initial = {f"m{m.pk}": m.year_ratings[0].rating for m in members if m.year_ratings}
    form = CellRatingForm(request.POST or None, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.rate_cell(ratings=form.ratings(), year=year, by=request.user)
        messages.success(request, _("Đã lưu xếp loại năm %(year)s của %(cell)s.") % {"year": year, "cell": cell.name})
        return redirect(f"{request.path}?year={year}")
    return render(request, "members/cell_rating.html", {"cell": cell, "form": form, "year": year, "years": years})


# --- Excel ---------------------------------------------------------------------------


@requires(Cap.EDIT_MEMBERS)
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-doan-vien.xlsx"'
    excel.template_workbook().save(response)
    return response


def import_units(request):
    return (
        request.scope.units(Cap.EDIT_MEMBERS).filter(kind__in=[Kind.CELL, Kind.BASE], is_active=True).order_by("path")
    )


@requires(Cap.EDIT_MEMBERS)
def import_upload(request: HttpRequest) -> HttpResponse:
    units = import_units(request)
    error = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        chosen = row_id(request.POST.get("unit"))
        unit = units.filter(pk=chosen).first() if chosen else None
        if unit is None:
            error = _("Hãy chọn đơn vị nhận danh sách.")
        elif upload is None:
            error = _("Hãy chọn tệp bảng tính (.xlsx, .xls, .ods) để tải lên.")
        elif upload.size > excel.MAX_BYTES:
            error = _("Tệp lớn hơn 10 MB. Hãy chia thành nhiều tệp nhỏ hơn.")
        else:
            token = secrets.token_hex(16)
            os.makedirs(IMPORT_DIR, exist_ok=True)
            forget_old_uploads()
            with open(os.path.join(IMPORT_DIR, f"{token}.xlsx"), "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            request.session.setdefault("imports", {})[token] = {"unit": unit.pk, "name": upload.name[:200]}
            request.session.modified = True
            return redirect("import_preview", token=token)
    batches = ImportBatch.objects.filter(request.scope.q(Cap.EDIT_MEMBERS, via="cell_scope__")).select_related(
        "cell_scope", "created_by"
    )[:10]
    return render(request, "members/import_upload.html", {"units": units, "error": error, "batches": batches})


def forget_old_uploads(max_age_hours: int = 24) -> None:
    """Uploads checked but never committed or cancelled are deleted after a day."""
    cutoff = time.time() - max_age_hours * 3600
    for entry in os.scandir(IMPORT_DIR):
        if entry.name.endswith(".xlsx") and entry.stat().st_mtime < cutoff:
            os.remove(entry.path)


def pending_import(request, token):
    """The upload this user made in this session (404 for anyone else), with its unit re-checked."""
    info = request.session.get("imports", {}).get(token)
    path = os.path.join(IMPORT_DIR, f"{token}.xlsx")
    if not info or not token.isalnum() or not os.path.exists(path):
        raise Http404
    unit = get_in_scope(import_units(request), pk=info["unit"])
    return info, unit, path


@requires(Cap.EDIT_MEMBERS)
@submissions.once  # sent again once stored (the answer lost, a second tap): to the list of imports, not a 404
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    info, unit, path = pending_import(request, token)
    today = timezone.localdate()
    try:
        if request.method == "POST":
            batch, result = submissions.save_once(
                request,
                lambda: excel.commit_file(path, unit, today, by=request.user, file_name=info["name"]),
                url=lambda committed: reverse("import_upload") if committed[0] else None,
            )
            if batch:
                os.remove(path)
                request.session["imports"].pop(token, None)
                request.session.modified = True
                messages.success(
                    request,
                    _("Đã nhập %(n)s đoàn viên vào %(unit)s.") % {"n": batch.row_count, "unit": unit.name},
                )
                return redirect("import_upload")
        else:
            result = excel.check_file(path, unit, today)
    except excel.ImportRefused as e:
        os.remove(path)
        return render(
            request, "members/import_upload.html", {"units": import_units(request), "error": str(e), "batches": []}
        )
    return render(
        request,
        "members/import_preview.html",
        {"result": result, "unit": unit, "token": token, "name": info["name"], "preview": result.members[:20]},
    )


@requires(Cap.EDIT_MEMBERS)
def import_errors(request: HttpRequest, token: str) -> HttpResponse:
    info, unit, path = pending_import(request, token)
    result = excel.check_file(path, unit, timezone.localdate())
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="loi-nhap-doan-vien.xlsx"'
    excel.errors_workbook(path, result).save(response)
    return response


@requires(Cap.EDIT_MEMBERS)
def import_undo(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_in_scope(ImportBatch.objects.filter(request.scope.q(Cap.EDIT_MEMBERS, via="cell_scope__")), pk=pk)
    can_undo = excel.undoable(batch)
    if request.method == "POST":
        if not can_undo:
            messages.error(
                request,
                _(
                    "Không thể hoàn tác: đã có hồ sơ trong lần nhập này được sửa, ghi nhận biến động hoặc ghi là "
                    "người giới thiệu 1+1."
                ),
            )
        else:
            n = excel.undo_batch(batch, by=request.user)
            messages.success(request, _("Đã hoàn tác lần nhập: xóa %(n)s hồ sơ.") % {"n": n})
        return redirect("import_upload")
    return render(request, "members/import_undo.html", {"batch": batch, "can_undo": can_undo})


@requires(Cap.VIEW_MEMBERS)
def register_export(request: HttpRequest, pk: int) -> FileResponse:
    unit = request.scope.get_unit(pk, Cap.VIEW_MEMBERS)
    members = Member.objects.filter(unit.subtree_q("cell__")).order_by("cell__path", "sort_key", "pk")
    path = excel.export_register(members, show_ids=shows_ids(request, unit))
    name = f"so-doan-vien-{unit.code}-{timezone.localdate():%Y%m%d}.xlsx"
    return excel.send_export(request, path, filename=name, changes={"register": unit.code}, obj=unit)
