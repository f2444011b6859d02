from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members import text
from reports import services
from reports.forms import PeriodForm, TargetGridForm
from reports.models import Target, TargetChange, TargetField
from reports.periods import period_from, rating_years, recent_years, year_asked, year_just_ended, year_period
from reports.rollup import build_report, monthly_admissions, ratings_report
from reports.xlsx import download, ratings_workbook, report_workbook
from unionapp.models import Kind
from unionapp.routers import reading_from_replica
from unionapp.scoping import Cap, requires
from unionapp.todo import todo

IDLE_NAMED = 10  # units below with no member introducing, named on the dashboard (the rest are counted)


@requires(Cap.VIEW_REPORTS)
def report(request: HttpRequest, pk: int) -> HttpResponse:
    unit = request.scope.get_unit(pk, Cap.VIEW_REPORTS)
    period = period_from(request.GET)
    with reading_from_replica():
        data = build_report(unit, period)
    ended = year_just_ended(request.GET, "period")
    form = PeriodForm(
        initial={"period": period.kind, "year": period.start.year, "start": period.start, "end": period.end}
    )
    return render(
        request,
        "reports/report.html",
        {
            "unit": unit,
            "report": data,
            "period": period,
            "form": form,
            "breadcrumbs": request.scope.breadcrumbs(unit),
            "can_export": request.scope.can(Cap.EXPORT_REPORTS, unit),
            "member_level": unit.kind == Kind.CELL,
            "year_ended": ended,
            "year_ended_query": f"?period=year&year={ended}",
        },
    )


@requires(Cap.VIEW_REPORTS)
def rating_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The year-end review in figures: how many members of each unit under ``pk`` were rated at each level."""
    unit = request.scope.get_unit(pk, Cap.VIEW_REPORTS)
    years, year = rating_years(request.GET)
    with reading_from_replica():
        rows, total = ratings_report(unit, year)
    return render(
        request,
        "reports/ratings.html",
        {
            "unit": unit,
            "year": year,
            "years": years,
            "rows": rows,
            "total": total,
            "breadcrumbs": request.scope.breadcrumbs(unit),
            "can_rate": unit.kind == Kind.CELL and request.scope.can(Cap.EDIT_MEMBERS, unit),
            "can_export": request.scope.can(Cap.EXPORT_REPORTS, unit),
        },
    )


@requires(Cap.EXPORT_REPORTS)
def rating_report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    unit = request.scope.get_unit(pk, Cap.EXPORT_REPORTS)
    _years, year = rating_years(request.GET)
    with reading_from_replica():
        wb = ratings_workbook(unit, year, *ratings_report(unit, year))
    return download(request, wb, unit=unit, filename=f"xep-loai-doan-vien-{unit.code}-{year}.xlsx",
                    changes={"ratings": year})  # fmt: skip


@requires(Cap.EXPORT_REPORTS)
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    unit = request.scope.get_unit(pk, Cap.EXPORT_REPORTS)
    period = period_from(request.GET)
    with reading_from_replica():
        wb = report_workbook(build_report(unit, period, per_cell=True))
    return download(request, wb, unit=unit, filename=f"bao-cao-1+1-{unit.code}-{period.slug}.xlsx",
                    changes={"report": period.label})  # fmt: skip


def expected_share(day: date) -> float:
    """The share of the year gone by on ``day``: where a unit on track should be."""
    start = date(day.year, 1, 1)
    days = (date(day.year + 1, 1, 1) - start).days
    return 100 * ((day - start).days + 1) / days


@requires(Cap.VIEW_REPORTS)
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """This year's progress against the targets under ``pk``; with ``?year=``, one of the four years before, as
    it ended (in January the office still reads last year's)."""
    unit = request.scope.get_unit(pk, Cap.VIEW_REPORTS)
    today = timezone.localdate()
    years, year = recent_years(request.GET)
    period = year_period(year)
    year_over = year < today.year
    with reading_from_replica():
        data = build_report(unit, period)
        series = monthly_admissions(unit, year)
    pipeline = data.total.open_referrals
    expected = expected_share(period.as_of)  # 100 for a year that has ended
    progress = []
    for row in data.rows:
        p = row.figures.union_pct
        progress.append(
            {
                "row": row,
                "pct": p,
                "bar": min(p or 0, 100),
                "on_track": p is not None and p >= expected,
            }
        )
    ranking = sorted(progress, key=lambda x: (x["pct"] is None, -(x["pct"] or 0), x["row"].label))
    can_set_targets = request.scope.can(Cap.SET_TARGETS, unit) and unit.kind != Kind.CELL
    # In January nothing is set yet: whoever sets the targets is told which units below still lack one.
    without_target = []
    if can_set_targets and not year_over:
        without_target = [row for row in data.rows if row.unit and row.figures.union_target is None]
    # "15/15 huyện đoàn triển khai 1+1", as the provincial reports put it: of the open units below that have
    # members, those where a member introduced a youth in the year; the others are named, to be asked why.
    staffed = [
        row
        for row in data.rows
        if row.unit and row.unit.is_active and (row.figures.members_start or row.figures.members_now)
    ]
    idle = [row for row in staffed if not row.figures.introducers]
    chart = {
        "labels": [f"T{m}" for m in range(1, 13)],
        # Months still to come are left out (not drawn as a fall to zero).
        "this_year": [n if year_over or month < today.month else None for month, n in enumerate(series[year])],
        "last_year": series[year - 1],
        "this_label": _("Năm %(y)s") % {"y": year},
        "last_label": _("Năm %(y)s") % {"y": year - 1},
    }
    ended = year_just_ended(request.GET, "year")  # in January, opened on the year just begun
    context = {
        "unit": unit,
        "report": data,
        "period": period,
        "year": year,
        "years": years,
        "year_over": year_over,
        # Kept on the links to other dashboards, so that drilling down stays in the year read.
        "year_query": f"?year={year}" if year_over else "",
        "expected": expected,
        "progress": progress,
        "ranking": ranking,
        "chart": chart,
        "pipeline": pipeline,
        "breadcrumbs": request.scope.breadcrumbs(unit),
        "total_on_track": data.total.union_pct is not None and data.total.union_pct >= expected,
        "can_set_targets": can_set_targets,
        "without_target": without_target,
        "staffed": len(staffed),
        "running": len(staffed) - len(idle),
        "idle": idle[:IDLE_NAMED],
        "idle_count": len(idle),
        "idle_more": max(len(idle) - IDLE_NAMED, 0),
        "year_ended": ended,
        "year_ended_query": f"?year={ended}",
    }
    if unit.kind != Kind.PROVINCE:
        context["todo"] = todo(request, unit)  # base-union and district staff land here: what waits for them
    return render(request, "reports/dashboard.html", context)


@requires(Cap.SET_TARGETS)
def targets(request: HttpRequest, pk: int) -> HttpResponse:
    """The targets of the units directly under ``pk`` for one year, on one grid."""
    unit = request.scope.get_unit(pk, Cap.SET_TARGETS)
    today = timezone.localdate()
    # Any year from 2000 to next year (earlier ones' targets can be entered for the reports); the picker offers five.
    year = year_asked(request.GET, range(2000, today.year + 2), today.year)
    children = sorted(unit.children.filter(is_active=True), key=lambda u: text.collation_key(u.name))
    # The unit's own line is editable by whoever sets targets above it (or at the top of the tree).
    editable_self = unit.parent_id is None or request.scope.can(Cap.SET_TARGETS, unit.parent)
    grid_units = ([unit] if editable_self else []) + children
    current, before = {}, {}
    for t in Target.objects.filter(unit__in=[unit, *children], year__in=[year, year - 1]):
        (current if t.year == year else before)[t.unit_id] = t
    # Year-end planning: the lines without a target this year can be filled in from last year's, to adjust
    # and save (nothing is saved until then).
    copyable = [u for u in grid_units if u.pk not in current and u.pk in before]
    copied = copyable if request.method == "GET" and request.GET.get("copy") else []
    shown = current | {u.pk: before[u.pk] for u in copied}
    initial = {TargetGridForm.key(u, f): getattr(shown[u.pk], f.value) for u in grid_units if u.pk in shown
               for f in TargetField}  # fmt: skip
    form = TargetGridForm(request.POST or None, units=grid_units, initial=initial)
    if request.method == "POST" and form.is_valid():
        n = services.set_targets(values=form.values(), year=year, by=request.user)
        messages.success(request, _("Đã lưu chỉ tiêu năm %(y)s (%(n)s thay đổi).") % {"y": year, "n": n})
        return redirect(f"{reverse('targets', args=[unit.pk])}?year={year}")
    # Non-blocking check: do the children's targets add up to the unit's own?
    mismatches = []
    own = current.get(unit.pk)
    for f in TargetField:
        parent_value = getattr(own, f.value) if own else None
        child_values = [getattr(current[c.pk], f.value) for c in children if c.pk in current]
        child_sum = sum(v for v in child_values if v is not None)
        if parent_value is not None and child_values and child_sum != parent_value:
            mismatches.append({"label": f.label, "parent": parent_value, "children": child_sum})
    history = TargetChange.objects.filter(unit__in=[unit, *children], year=year).select_related("unit", "by")[:50]
    return render(
        request,
        "reports/targets.html",
        {
            "unit": unit,
            "year": year,
            "years": list(range(today.year + 1, today.year - 4, -1)),
            "form": form,
            "fields": list(TargetField),
            "mismatches": mismatches,
            "history": history,
            "editable_self": editable_self,
            "own": own,
            "copyable": len(copyable),
            "copied": len(copied),
            "last_year": year - 1,
            "breadcrumbs": request.scope.breadcrumbs(unit),
        },
    )
