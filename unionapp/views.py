from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from members import text
from members.models import Member, Status
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
    # One query: counted members per cell of the subtree, folded into the children in Python.
    per_cell = (
        Member.objects.filter(unit.subtree_q("cell__"), status__in=Status.COUNTED)
        .values_list("cell__path")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[int, int] = {}
    total = 0
    for cell_path, n in per_cell:
        total += n
        child_id = unit.child_id_on_path(cell_path)
        if child_id is not None:
            counts[child_id] = counts.get(child_id, 0) + n
    for child in children:
        child.member_count = counts.get(child.pk, 0)
    context = {
        "unit": unit,
        "breadcrumbs": [u for u in unit.ancestors() if request.scope.sees(u)],
        "children": children,
        "member_total": total,
        "can_edit": request.scope.can(Cap.EDIT_MEMBERS, unit),
        "can_log": request.scope.can(Cap.LOG_REFERRALS, unit),
    }
    if unit.kind == Kind.CELL:
        # The cell's register in paper order (one more query).
        context["members"] = list(Member.objects.filter(cell=unit, status__in=Status.COUNTED).select_related("cell"))
    return render(request, "unionapp/unit_detail.html", context)
