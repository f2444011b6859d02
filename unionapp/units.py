"""Changes to the organisation tree, for the admin and for the pages of those who hold
``Cap.MANAGE_UNITS``: a new unit, a rename or a move, closing and reopening. Each is recorded in the
audit trail; the tree's paths are kept by ``Unit.add`` and ``Unit.move_to``.
"""

from django.db import transaction

from members.models import Member, Status
from unionapp import audit
from unionapp.models import Unit


def create_unit(*, parent: Unit | None, name: str, code: str, kind: str, by, request=None) -> Unit:
    unit = Unit.add(name=name, code=code, kind=kind, parent=parent)
    audit.record(
        audit.Action.CREATE,
        by=by,
        obj=unit,
        changes={"parent": [None, parent.name if parent else None]},
        request=request,
    )
    return unit


@transaction.atomic
def change_unit(*, unit: Unit, name: str, code: str, parent: Unit | None, by, request=None, **more) -> None:
    """Rename, recode and move (the whole subtree follows, with what is attached to it). ``more`` takes
    ``is_active`` from the admin's form; the app's pages close a unit through ``set_active``."""
    before = audit.snapshot(unit, ["name", "code", "parent", "is_active"])
    Unit.objects.filter(pk=unit.pk).update(name=name, code=code, **more)
    if parent is not None and parent.pk != unit.parent_id:
        unit.move_to(parent)
    unit.refresh_from_db()
    changes = audit.diff(before, audit.snapshot(unit, ["name", "code", "parent", "is_active"]))
    if changes:
        audit.record(audit.Action.CHANGE, by=by, obj=unit, changes=changes, request=request)


def set_active(*, unit: Unit, active: bool, by, request=None) -> None:
    """Close (or reopen) a unit. A closed unit keeps its members, referrals and history, which the reports
    still count; it is no longer offered for new members, referrals or roles, and roles held on it lapse."""
    change_unit(unit=unit, name=unit.name, code=unit.code, parent=None, by=by, request=request, is_active=active)


def still_inside(unit: Unit) -> dict:
    """What a closed unit would still hold: active units under it, members counted in it."""
    return {
        "units": Unit.objects.filter(unit.subtree_q(), is_active=True).exclude(pk=unit.pk).count(),
        "members": Member.objects.filter(unit.subtree_q("cell__"), status__in=Status.COUNTED).count(),
    }
