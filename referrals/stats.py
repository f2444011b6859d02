"""The 1+1 rate, one function the reports reuse.

rate = members active at the start of the period who introduced at least one youth during it
       / members active at the start of the period
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from members.models import Member, Status, StatusEvent
from referrals.models import Referral


@dataclass(frozen=True)
class OnePlusOne:
    members: int
    introducers: int

    @property
    def rate(self) -> float | None:
        """Percentage, or None when there was nobody to count (shown as "—", never 0% or an error)."""
        return 100 * self.introducers / self.members if self.members else None

    def __add__(self, other: "OnePlusOne") -> "OnePlusOne":
        return OnePlusOne(self.members + other.members, self.introducers + other.introducers)


def members_at(start: date):
    """Members who were in the register and counted on ``start``.

    Their status that day is the ``from_status`` of their first status event after it, or their
    current status when nothing changed since. They must have joined by then."""
    first_later_event = StatusEvent.objects.filter(member=OuterRef("pk"), date__gt=start, from_status__gt="").order_by(
        "date", "pk"
    )
    return (
        Member.objects.filter(Q(joined_on__lte=start) | Q(joined_on__isnull=True, created_at__date__lte=start))
        .annotate(status_then=Coalesce(Subquery(first_later_event.values("from_status")[:1]), F("status")))
        .filter(status_then__in=Status.COUNTED)
    )


def one_plus_one_by_cell(q: Q, start: date, end: date, key: str = "cell_id") -> dict:
    """Per cell of the members selected by ``q`` (e.g. ``unit.subtree_q("cell__")``): one query.
    ``key`` groups by another column: "cell__path" for roll-ups, "pk" for one row per member."""
    introduced = Referral.objects.filter(introducer=OuterRef("pk"), introduced_on__gte=start, introduced_on__lte=end)
    rows = (
        members_at(start)
        .filter(q)
        .annotate(introduced=Exists(introduced))
        .values(key)
        .annotate(n=Count("pk"), k=Count("pk", filter=Q(introduced=True)))
        .order_by()
    )
    return {r[key]: OnePlusOne(r["n"], r["k"]) for r in rows}


def one_plus_one_rate(unit, start: date, end: date) -> OnePlusOne:
    """The 1+1 figures of ``unit`` (any level) for the period [start, end]."""
    total = OnePlusOne(0, 0)
    for value in one_plus_one_by_cell(unit.subtree_q("cell__"), start, end).values():
        total += value
    return total
