from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from members import text
from members.models import Member, Status
from reports import tally
from reports.rollup import figures_of
from unionapp.models import Kind, Role, Unit
from unionapp.scoping import Cap, login_not_required, no_capability, requires


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: answers only after a real round trip to the database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@no_capability
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its natural page: a secretary on their cell, staff on their unit's overview."""
    unit = request.scope.home_unit()
    if unit is None:
        if request.scope.is_superuser:
            province = Unit.objects.filter(kind=Kind.PROVINCE).order_by("path").first()
            if province:
                return redirect("dashboard", pk=province.pk)
        return render(request, "unionapp/no_assignment.html")
    if request.scope.home_role() != Role.CELL_SECRETARY and request.scope.can(Cap.VIEW_REPORTS, unit):
        return redirect("dashboard", pk=unit.pk)
    return redirect("unit_detail", pk=unit.pk)


@requires(Cap.VIEW_MEMBERS)
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = request.scope.get_unit(pk, Cap.VIEW_MEMBERS)
    children = sorted(unit.children.all(), key=lambda u: (not u.is_active, text.collation_key(u.name)))
    members = None
    if unit.kind == Kind.CELL:
        # The cell's register in paper order.
        members = list(Member.objects.filter(cell=unit, status__in=Status.COUNTED).select_related("cell"))
        total = len(members)
    else:
        # Members counted today per unit directly under this one, from the reports' summary rows (one query,
        # grouped in the database: a province's 150.000 register rows are not read for a dozen numbers).
        today = timezone.localdate()
        sums = tally.sums(today, today, today, under=unit)
        counts = {int(key): figures_of(summed).members_now or 0 for key, *summed in sums}
        for child in children:
            child.member_count = counts.get(child.pk, 0)
        total = sum(counts.values())
    context = {
        "unit": unit,
        "breadcrumbs": [u for u in unit.ancestors() if request.scope.sees(u)],
        "children": children,
        "member_total": total,
        "can_edit": request.scope.can(Cap.EDIT_MEMBERS, unit),
        "can_log": request.scope.can(Cap.LOG_REFERRALS, unit),
    }
    if members is not None:
        context["members"] = members
    return render(request, "unionapp/unit_detail.html", context)
