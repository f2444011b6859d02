"""The 1+1 rate, one function the reports reuse.

rate = members active at the start of the period who introduced at least one youth during it
       / members active at the start of the period
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from members.models import Member, Status
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


def counted_on(day: date) -> Q:
    """Q for members in the register and counted on ``day``: joined by then (or entered by then when the
    join date is unknown), and not left before it. ``Member.left_on`` is kept by the status services, so
    this needs no look at the event history (see docs/performance.md)."""
    entered = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    joined = Q(joined_on__lte=day) | Q(joined_on__isnull=True, created_at__lt=entered)
    still_there = Q(left_on__isnull=True, status__in=Status.COUNTED) | Q(left_on__gt=day)
    return joined & still_there


def members_at(day: date):
    """Members who were in the register and counted on ``day``."""
    return Member.objects.filter(counted_on(day))


def one_plus_one_by_cell(q: Q, start: date, end: date, key: str = "cell_id") -> dict:
    """Per cell of the members selected by ``q`` (a Q on Member, e.g. ``Q(cell_id__in=...)``): two queries,
    one counting the members at the start, one counting, from the referral side, those who introduced.
    ``key`` groups by another column of Member: "pk" gives one row per member."""
    members = dict(members_at(start).filter(q).values_list(key).annotate(n=Count("pk")).order_by())
    introducers = introducers_by(q, start, end, key)
    return {k: OnePlusOne(n, introducers.get(k, 0)) for k, n in members.items()}


def introducers_by(q: Q, start: date, end: date, key: str = "cell_id") -> dict:
    """Members selected by ``q``, counted at ``start``, who introduced someone in [start, end],
    counted per ``key`` of the member. One query: the members whose id is among the period's
    introducers (a semi-join; cheaper than counting distinct introducers over the referrals)."""
    introduced = Referral.objects.filter(introduced_on__gte=start, introduced_on__lte=end, introducer__isnull=False)
    return dict(
        members_at(start)
        .filter(q, pk__in=introduced.values("introducer_id"))
        .values_list(key)
        .annotate(k=Count("pk"))
        .order_by()
    )


def one_plus_one_rate(unit, start: date, end: date) -> OnePlusOne:
    """The 1+1 figures of ``unit`` (any level) for the period [start, end]."""
    total = OnePlusOne(0, 0)
    for value in one_plus_one_by_cell(unit.subtree_q("cell__"), start, end).values():
        total += value
    return total
