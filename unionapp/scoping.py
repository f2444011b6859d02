"""The one scoping layer: which units, members and referrals a user may see and change.

A user's scope is the union of the subtrees of their assignments. Every view,
form choice, filter, report and export starts its querysets here:

    scope = request.scope
    unit = scope.get_unit(pk, Cap.VIEW_MEMBERS)        # 404 outside, 403 without the capability
    members = scope.filter(Member.objects.all(), Cap.VIEW_MEMBERS, via="cell__")

Outside the scope an object does not exist (404); inside the scope but without
the capability the answer is 403, which reveals nothing the user cannot see.
"""

from functools import cached_property, wraps

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.middleware import LoginRequiredMiddleware as _DjangoLoginRequired
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from unionapp.models import Assignment, Role, Unit, path_range


class Cap:
    """Capabilities a view may require. Roles grant them in ROLE_CAPABILITIES."""

    VIEW_MEMBERS = "view_members"
    EDIT_MEMBERS = "edit_members"
    LOG_REFERRALS = "log_referrals"
    APPROVE_ADMISSIONS = "approve_admissions"
    SET_TARGETS = "set_targets"
    VIEW_REPORTS = "view_reports"
    EXPORT_REPORTS = "export_reports"
    MANAGE_UNITS = "manage_units"

    LABELS = {
        VIEW_MEMBERS: _("Xem đoàn viên"),
        EDIT_MEMBERS: _("Sửa đoàn viên"),
        LOG_REFERRALS: _("Ghi nhận giới thiệu"),
        APPROVE_ADMISSIONS: _("Chuẩn y kết nạp"),
        SET_TARGETS: _("Giao chỉ tiêu"),
        VIEW_REPORTS: _("Xem báo cáo"),
        EXPORT_REPORTS: _("Xuất báo cáo"),
        MANAGE_UNITS: _("Quản lý đơn vị và tài khoản"),
    }
    ALL = frozenset(LABELS)


# The one table of what each role may do (within the subtree of its unit).
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.CELL_SECRETARY: frozenset({Cap.VIEW_MEMBERS, Cap.EDIT_MEMBERS, Cap.LOG_REFERRALS, Cap.VIEW_REPORTS}),
    Role.BASE_OFFICER: frozenset(
        {
            Cap.VIEW_MEMBERS,
            Cap.EDIT_MEMBERS,
            Cap.LOG_REFERRALS,
            Cap.APPROVE_ADMISSIONS,
            Cap.SET_TARGETS,
            Cap.VIEW_REPORTS,
            Cap.EXPORT_REPORTS,
            # Its cells and their secretaries' accounts: a new cell each school year, a new secretary after
            # each cell congress, a forgotten password. The base union itself is named from above
            # (``Scope.changes_unit``).
            Cap.MANAGE_UNITS,
        }
    ),
    Role.DISTRICT_STAFF: frozenset(
        {Cap.VIEW_MEMBERS, Cap.APPROVE_ADMISSIONS, Cap.SET_TARGETS, Cap.VIEW_REPORTS, Cap.EXPORT_REPORTS}
    ),
    Role.PROVINCE_OFFICE: Cap.ALL,
}


OTHER_PROVINCE = _("một đơn vị ở tỉnh khác")


def unit_label_within(province_path: str, name: str, path: str) -> str:
    """``name`` when ``path`` lies in the province at ``province_path``; otherwise anonymous."""
    return name if path.startswith(province_path) else str(OTHER_PROVINCE)


class Scope:
    """What one user may see and do. Built once per request: the assignments come with the request's user
    (``accounts.RolesBackend``), or in one query for any other user."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def is_superuser(self) -> bool:
        return bool(self.user.is_authenticated and self.user.is_active and self.user.is_superuser)

    @cached_property
    def assignments(self) -> list:
        if not (self.user.is_authenticated and self.user.is_active):
            return []
        read = getattr(self.user, "roles_read", None)  # read with the request's user (accounts.RolesBackend)
        if read is not None:
            return read
        return list(self.user.assignments.select_related("unit").filter(unit__is_active=True).order_by("unit__path"))

    def roots(self, cap: str | None = None) -> list[Unit]:
        """Top units of the scope for ``cap`` (any capability when None); nested ones dropped."""
        units = [a.unit for a in self.assignments if cap is None or cap in ROLE_CAPABILITIES[a.role]]
        units.sort(key=lambda u: u.path)
        tops: list[Unit] = []
        for unit in units:
            if not tops or not unit.is_under(tops[-1]):
                tops.append(unit)
        return tops

    def has(self, cap: str) -> bool:
        """Whether the user holds ``cap`` anywhere."""
        return self.is_superuser or any(cap in ROLE_CAPABILITIES[a.role] for a in self.assignments)

    def can(self, cap: str, unit: Unit) -> bool:
        """Whether the user holds ``cap`` on ``unit`` (through an assignment on it or above it). No query."""
        if self.is_superuser:
            return True
        return any(unit.is_under(a.unit) and cap in ROLE_CAPABILITIES[a.role] for a in self.assignments)

    def changes_unit(self, unit: Unit) -> bool:
        """Whether the user may rename, recode or close ``unit``: from a unit above it (a base union's
        officers change its cells, not the base union). The top of the tree, having nothing above it in the
        app, is changed by those who manage it. The rule of ``gives_roles_q``, for one unit, without a query."""
        if unit.parent_id is None:
            return self.can(Cap.MANAGE_UNITS, unit)
        return self.is_superuser or any(
            unit.path != a.unit.path and unit.is_under(a.unit) and Cap.MANAGE_UNITS in ROLE_CAPABILITIES[a.role]
            for a in self.assignments
        )

    def sees(self, unit: Unit) -> bool:
        return self.is_superuser or any(unit.is_under(root) for root in self.roots())

    def breadcrumbs(self, unit: Unit) -> list[Unit]:
        """The path shown above a unit's pages: its ancestors and itself, as far up as the user sees.
        Units already at hand (this one, and those the user's roles are on) are not read again: on the
        pages of the unit a role is on, or of one just below it, no query."""
        ids = unit.ancestor_ids()
        if not self.is_superuser:
            tops = {root.pk for root in self.roots()}
            ids = ids[next((i for i, pk in enumerate(ids) if pk in tops), len(ids)) :]
        known = {a.unit.pk: a.unit for a in self.assignments} | {unit.pk: unit}
        missing = [pk for pk in ids if pk not in known]
        if missing:
            known |= {u.pk: u for u in Unit.objects.filter(pk__in=missing)}
        return [known[pk] for pk in ids if pk in known]

    def q(self, cap: str | None = None, via: str = "") -> Q:
        """Q selecting rows whose unit (reached through ``via``, e.g. "cell__") lies in scope for ``cap``."""
        if self.is_superuser:
            return Q()
        roots = self.roots(cap)
        if not roots:
            return Q(pk__in=[])
        q = Q()
        for root in roots:
            q |= root.subtree_q(prefix=via)
        return q

    def filter(self, qs: QuerySet, cap: str | None = None, via: str = "") -> QuerySet:
        return qs.filter(self.q(cap, via))

    def units(self, cap: str | None = None) -> QuerySet:
        return self.filter(Unit.objects.all(), cap)

    def cell_ids(self, cap: str | None = None, within: Unit | None = None) -> list[int]:
        """Ids of the cells in scope (under ``within`` when given): one query. A literal id list lets
        PostgreSQL's planner use the member table's cell index where a path-range join makes it scan."""
        units = self.units(cap).filter(kind="cell")
        if within is not None:
            units = units.filter(within.subtree_q())
        return list(units.values_list("pk", flat=True))

    def gives_roles_q(self, via: str = "") -> Q:
        """Q selecting the units on which this user gives roles (``Cap.MANAGE_UNITS``): those below a unit they
        manage, not that unit itself, so that a base union's officers keep its cells' secretaries, not one
        another (nobody locks out a peer). The top of the tree, with nobody above it in the app, is the
        exception: the province office keeps its own accounts."""
        if self.is_superuser:
            return Q()
        q = Q(pk__in=[])
        for root in self.roots(Cap.MANAGE_UNITS):
            low, high = path_range(root.path)
            q |= Q(**{f"{via}path__gt": low, f"{via}path__lt": high})
            if root.parent_id is None:
                q |= Q(**{f"{via}pk": root.pk})
        return q

    def accounts(self) -> QuerySet:
        """The accounts this user manages: those whose every role lies where they give roles
        (``gives_roles_q``). An account also holding a role elsewhere is managed by whoever holds that part too;
        staff and superusers are managed in the admin; one's own account on the password page."""
        within = self.gives_roles_q(via="unit__")
        users = User.objects.filter(is_superuser=False, is_staff=False).exclude(pk=self.user.pk)
        users = users.filter(pk__in=Assignment.objects.filter(within).values("user_id"))
        if not self.is_superuser:
            users = users.exclude(pk__in=Assignment.objects.exclude(within).values("user_id"))
        return users

    def get_unit(self, pk, cap: str) -> Unit:
        """The unit ``pk`` if visible: 404 when outside the scope, 403 when visible without ``cap``."""
        return self.check(get_in_scope(self.units(), pk=pk), cap)

    def check(self, unit: Unit, cap: str) -> Unit:
        """403 unless the user holds ``cap`` on ``unit`` (which the caller fetched through the scope)."""
        if not self.can(cap, unit):
            raise PermissionDenied
        return unit

    def unit_label(self, unit: Unit) -> str:
        """A unit's name for messages (duplicates, warnings): named within the user's own province,
        anonymous beyond it, so checks against the whole database reveal nothing about other provinces."""
        if self.is_superuser or unit.province_path() in {root.province_path() for root in self.roots()}:
            return unit.name
        return str(OTHER_PROVINCE)

    def home_unit(self) -> Unit | None:
        """The unit a user lands on: the top of their first assignment."""
        roots = self.roots()
        return roots[0] if roots else None

    def home_role(self) -> str | None:
        return self.assignments[0].role if self.assignments else None


def get_in_scope(qs: QuerySet, **lookup):
    """``get_object_or_404`` for a queryset already filtered through a Scope."""
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def requires(*caps: str):
    """Declare the capability a view needs (any one of several, when the view checks the right one on
    its object). Anonymous users are sent to login by the middleware; a user without the capability
    anywhere gets 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not any(request.scope.has(cap) for cap in caps):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.capability = caps[0] if len(caps) == 1 else caps
        return wrapper

    return decorator


def no_capability(view):
    """Mark a view that any logged-in user may open (home, password change)."""
    view.capability = None
    return view


class LoginRequiredMiddleware(_DjangoLoginRequired):
    """Django's login-required middleware, plus ``request.scope`` for every request."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.scope = SimpleLazyObject(lambda: Scope(request.user))
        return super().process_view(request, view_func, view_args, view_kwargs)


def scope_context(request):
    """``scope`` and ``can.<capability>`` (held anywhere) for menus and buttons; ``help_url``: the user guide at the
    part for the user's role."""
    from unionapp import guide

    scope = getattr(request, "scope", None)
    can = SimpleLazyObject(lambda: {cap: scope.has(cap) for cap in Cap.ALL} if scope else {})
    help_url = SimpleLazyObject(lambda: guide.url_for(scope.home_role() if scope else None))
    return {"scope": scope, "can": can, "help_url": help_url}


__all__ = ["Cap", "ROLE_CAPABILITIES", "Scope", "get_in_scope", "login_not_required", "requires", "no_capability"]
