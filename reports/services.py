from django.db import transaction

from reports.models import Target, TargetChange
from unionapp import audit
from unionapp.models import AuditEvent, Unit


@transaction.atomic
def set_targets(*, values: dict, year: int, by) -> int:
    """Save targets ((unit id, field) -> value or None) for ``year``; every change keeps
    who, when, the old and the new value. Returns the number of values changed."""
    unit_ids = {uid for uid, _ in values}
    # The units' rows locked, in one order: a second save of the same grid (a double tap), before any target of
    # the year exists, waits for the first and then finds its targets, instead of inserting them again.
    list(Unit.objects.select_for_update().filter(pk__in=unit_ids).order_by("pk").values_list("pk", flat=True))
    targets = {t.unit_id: t for t in Target.objects.filter(unit_id__in=unit_ids, year=year)}
    changes = []
    for (unit_id, field), new in values.items():
        target = targets.get(unit_id)
        old = getattr(target, field) if target else None
        if old == new:
            continue
        if target is None:
            target = targets[unit_id] = Target(unit_id=unit_id, year=year)
        setattr(target, field, new)
        changes.append(TargetChange(unit_id=unit_id, year=year, field=field, old=old, new=new, by=by))
    for target in {t.unit_id: t for t in targets.values()}.values():
        if any(c.unit_id == target.unit_id for c in changes):
            target.save()
    TargetChange.objects.bulk_create(changes)
    AuditEvent.objects.bulk_create(
        audit.event(audit.Action.CHANGE, by=by, obj=targets[c.unit_id], changes={c.field: [c.old, c.new]})
        for c in changes
    )
    return len(changes)
