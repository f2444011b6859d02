"""The audit trail: services call ``record`` after every write; auth signals record logins.

Explicit calls in the service functions (the only write paths) rather than model signals, so a
bulk update cannot slip past unnoticed: a new write path without a ``record`` shows in review.
"""

import ipaddress
import json
from datetime import date, datetime

from django.apps import apps
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import FieldDoesNotExist
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from unionapp.models import AuditEvent, Unit

Action = AuditEvent.Action


def plain(value):
    """A value as the trail stores it: dates as dd/mm/yyyy, related objects as their name."""
    if isinstance(value, (date, datetime)):
        return value.strftime("%d/%m/%Y")
    if hasattr(value, "pk"):
        return str(value)
    return value


def snapshot(obj, fields) -> dict:
    return {f: plain(getattr(obj, f)) for f in fields}


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed."""
    return {f: [before.get(f), after.get(f)] for f in after if before.get(f) != after.get(f)}


def unit_id_of(obj) -> int | None:
    """The unit a change to ``obj`` concerns: a unit itself, a member's or referral's cell, a target's unit, an
    import's unit; None for what belongs to no unit (an account)."""
    if isinstance(obj, Unit):
        return obj.pk
    for field in ("cell_id", "unit_id", "cell_scope_id"):
        if value := getattr(obj, field, None):
            return value
    return None


def event(
    action: str,
    *,
    by=None,
    obj=None,
    changes: dict | None = None,
    scope: str = "",
    request=None,
    username: str = "",
    unit_id: int | None = None,
) -> AuditEvent:
    """An unsaved event (``record`` saves one; a service writing many saves them with bulk_create). Its unit is
    ``obj``'s (``unit_id`` when there is no object, or to name another)."""
    user = by if (by is not None and getattr(by, "pk", None)) else None
    return AuditEvent(
        unit_id=unit_id or unit_id_of(obj),
        action=action,
        user=user,
        username=username or (user.get_username() if user else ""),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        label=str(obj)[:255] if obj is not None else "",
        changes=json.loads(json.dumps(changes or {}, default=str)),  # lazy labels, dates: as text
        scope=scope[:255],
        ip=client_ip(request) if request is not None else None,
    )


def record(action: str, **kwargs) -> None:
    event(action, **kwargs).save()


def for_object(obj):
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).select_related("user")


# Labels of the change keys that are not model fields.
LABELS = {
    "reason": _("Lý do"),
    "cell": _("Chi đoàn"),
    "transfer": _("Chuyển sinh hoạt"),
    "transfer_requested": _("Đề nghị chuyển sinh hoạt đến"),
    "temporary_stay": _("Sinh hoạt tạm thời"),
    "temporary_stay_until": _("Sinh hoạt tạm thời đến ngày"),
    "stage": _("Giai đoạn"),
    "admission": _("Kết nạp theo quyết định"),
    "assignment": _("Phân công"),
    "first_name": _("Họ và tên"),
    "password": _("Mật khẩu"),
    "account_state": _("Tài khoản"),
    "register": _("Sổ đoàn viên"),
    "report": _("Báo cáo"),
    "rows": _("Số dòng"),
    "undone_rows": _("Số hồ sơ đã xóa khi hoàn tác"),
    "ratings": _("Xếp loại năm"),
    "rated": _("Số đoàn viên được xếp loại"),
    "undone_event": _("Biến động đã hủy (ngày: lý do)"),
}


def with_rows(events) -> list:
    """The events with ``rows``: (label, old, new) in words a secretary reads: field names as the
    forms call them, coded values (statuses, ratings) as their labels."""
    events = list(events)
    for event in events:
        model = apps.get_model(event.object_type) if event.object_type else None
        event.rows = []
        for key, change in event.changes.items():
            old, new = change if isinstance(change, list) and len(change) == 2 else (None, change)
            label, choices = LABELS.get(key), {}
            if model is not None and label is None:
                try:
                    field = model._meta.get_field(key)
                except FieldDoesNotExist:
                    field = None
                if field is not None:
                    label, choices = field.verbose_name, dict(field.flatchoices or ())
            event.rows.append((str(label or key), choices.get(old, old), choices.get(new, new)))
    return events


def client_ip(request) -> str | None:
    """The address the request came from. Behind ``PROXY_COUNT`` proxies (nginx: 1), each appending the address
    it saw to X-Forwarded-For, it is that many entries from the right; the entries before them are whatever the
    client wrote and prove nothing. Without a proxy, or when the header is not what they write, REMOTE_ADDR."""
    if count := settings.PROXY_COUNT:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(hops) >= count:
            try:
                return str(ipaddress.ip_address(hops[-count]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR") or None


def scope_label(request) -> str:
    scope = getattr(request, "scope", None)
    if scope is None:
        return ""
    if scope.is_superuser:
        return "superuser"
    return assignments_label(scope.assignments)


def assignments_label(assignments) -> str:
    return ", ".join(f"{a.get_role_display()} {a.unit.code}" for a in assignments)


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record(
        Action.LOGIN,
        by=user,
        request=request,
        scope=assignments_label(user.assignments.select_related("unit")),
    )


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    record(Action.LOGIN_FAILED, username=str(credentials.get("username", ""))[:150], request=request)
