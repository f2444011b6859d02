"""Accounts kept in the app by those who hold ``Cap.MANAGE_UNITS``: create one with its role, set a new
password, lock and unlock, add and remove roles. Every write is recorded in the audit trail.

Which accounts a user may manage is decided by the scoping layer (``Scope.accounts``); these functions
take objects the caller already fetched through it.

A password set by someone else is temporary: at their next login its holder is sent to the password page,
and nowhere else, until they have chosen their own (``TemporaryPasswordMiddleware``). The check costs one
query at login; page views read a flag in the session.
"""

from axes.utils import reset as unlock_username
from django.contrib import messages
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from unionapp import audit
from unionapp.models import Assignment, Kind, Role, TemporaryPassword, Unit


class RolesBackend(ModelBackend):
    """Django's model backend, but the user of each request is read with their roles and the roles' units in
    one query (a LEFT JOIN), not one for the user and one for the roles: the scoping layer needs both on
    every page (``Scope.assignments`` takes ``user.roles_read``)."""

    def get_user(self, user_id):
        user_fields = [f.attname for f in User._meta.concrete_fields]
        unit_fields = [f.attname for f in Unit._meta.concrete_fields]
        qs = User._default_manager.filter(pk=user_id).values_list(
            *user_fields, "assignments__id", "assignments__role", *(f"assignments__unit__{f}" for f in unit_fields)
        )
        try:
            rows = list(qs)
        except (ValueError, TypeError):  # a session naming no valid id
            return None
        if not rows:
            return None
        n = len(user_fields)
        user = User.from_db(qs.db, user_fields, rows[0][:n])
        roles = []
        for row in rows:
            assignment_id, role, unit_values = row[n], row[n + 1], row[n + 2 :]
            if assignment_id is None:
                continue
            unit = Unit.from_db(qs.db, unit_fields, unit_values)
            if not unit.is_active:
                continue
            assignment = Assignment.from_db(
                qs.db, ["id", "user_id", "unit_id", "role"], [assignment_id, user.pk, unit.pk, role]
            )
            Assignment.unit.field.set_cached_value(assignment, unit)
            Assignment.user.field.set_cached_value(assignment, user)
            roles.append(assignment)
        user.roles_read = sorted(roles, key=lambda a: a.unit.path)
        return user if self.user_can_authenticate(user) else None


MUST_CHANGE = "_must_change_password"  # session key: the password in use is temporary
# Pages a user with a temporary password may open: the password page, the ways out, and the user guide (a first
# login is when it is read).
ALLOWED_MEANWHILE = {"password_change", "logout", "set_language", "help"}


@transaction.atomic
def create_account(*, username: str, full_name: str, password: str, role: str, unit: Unit, by, request=None) -> User:
    """A new account holding ``role`` on ``unit``; never staff or superuser."""
    user = User.objects.create_user(username, password=password, first_name=full_name)
    TemporaryPassword.objects.create(user=user, set_by=by)
    assignment = Assignment.objects.create(user=user, unit=unit, role=role)
    audit.record(
        audit.Action.CREATE,
        by=by,
        obj=user,
        changes={"first_name": [None, full_name], "assignment": [None, str(assignment)]},
        request=request,
    )
    return user


@transaction.atomic
def set_password(*, user: User, password: str, by, request=None) -> None:
    """A new password, told to its holder by whoever set it, who replaces it at their next login; also
    lifts a lockout after failed logins."""
    user.set_password(password)
    user.save(update_fields=["password"])
    password_set_by_another(user=user, by=by, request=request)


def password_set_by_another(*, user: User, by, request=None) -> None:
    """``by`` has just set ``user``'s password (here or in /admin/): it is temporary, a lockout after failed
    logins is lifted, and the audit trail says who did it."""
    TemporaryPassword.objects.update_or_create(user=user, defaults={"set_by": by, "set_at": timezone.now()})
    unlock_username(username=user.get_username())
    audit.record(audit.Action.CHANGE, by=by, obj=user, changes={"password": [None, _("đặt lại")]}, request=request)


def set_active(*, user: User, active: bool, by, request=None) -> None:
    """Lock (or unlock) an account. A locked account cannot log in, and a session it holds ends at its
    next request (Django's authentication refuses inactive users); its name stays in the audit trail."""
    if user.is_active == active:
        return
    User.objects.filter(pk=user.pk).update(is_active=active)
    states = [state_label(user.is_active), state_label(active)]
    audit.record(audit.Action.CHANGE, by=by, obj=user, changes={"account_state": states}, request=request)
    user.is_active = active


def state_label(active: bool) -> str:
    return _("Đang dùng") if active else _("Đã khóa")


def add_assignment(*, user: User, role: str, unit: Unit, by, request=None) -> Assignment:
    assignment, created = Assignment.objects.get_or_create(user=user, unit=unit, role=role)
    if created:
        audit.record(
            audit.Action.CHANGE, by=by, obj=user, changes={"assignment": [None, str(assignment)]}, request=request
        )
    return assignment


@transaction.atomic
def remove_assignment(*, assignment: Assignment, by, request=None) -> None:
    """Remove one role; an account keeps at least one (lock it instead), so that it stays in someone's scope."""
    user = User.objects.select_for_update().get(pk=assignment.user_id)
    if not Assignment.objects.filter(user=user).exclude(pk=assignment.pk).exists():
        raise ValidationError(
            _("Đây là vai trò duy nhất của tài khoản; nếu người này thôi công tác, hãy khóa tài khoản.")
        )
    label = str(assignment)
    assignment.delete()
    audit.record(audit.Action.CHANGE, by=by, obj=user, changes={"assignment": [label, None]}, request=request)


def has_temporary_password(user: User) -> bool:
    return TemporaryPassword.objects.filter(user=user).exists()


def password_chosen(request) -> None:
    """The user changed their own password: it is no longer temporary."""
    TemporaryPassword.objects.filter(user=request.user).delete()
    request.session.pop(MUST_CHANGE, None)


@receiver(user_logged_in)
def _temporary_password_at_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session") and has_temporary_password(user):
        request.session[MUST_CHANGE] = True


class TemporaryPasswordMiddleware:
    """Sends a user whose password someone else set to the password page until they choose their own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.session.get(MUST_CHANGE) or request.resolver_match.url_name in ALLOWED_MEANWHILE:
            return None
        messages.warning(
            request, _("Mật khẩu của bạn do cán bộ cấp trên đặt. Hãy đặt mật khẩu của riêng bạn để tiếp tục.")
        )
        return redirect("password_change")


def cells_without_secretary(unit: Unit):
    """The open cells in ``unit``'s subtree that no open account keeps as secretary: nobody can log in to
    enter their register. Where accounts are given (a base union's page and to-do list, the roll-out command)."""
    held = Assignment.objects.filter(role=Role.CELL_SECRETARY, user__is_active=True).values("unit_id")
    return Unit.objects.filter(unit.subtree_q(), kind=Kind.CELL, is_active=True).exclude(pk__in=held)


def cells_without_secretary_ids(unit: Unit) -> list[int]:
    """The ids of ``cells_without_secretary(unit)``, in tree order."""
    return list(cells_without_secretary(unit).order_by("path").values_list("pk", flat=True))
