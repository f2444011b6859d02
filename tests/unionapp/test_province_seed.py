from datetime import date

from django.db.models import Count

from members.models import Member
from referrals.models import Referral, Stage
from reports.models import Target
from unionapp import province_seed
from unionapp.models import Kind, Unit


def test_the_province_seed_builds_every_level_deterministically(db):
    messages = []
    province_seed.seed_province(
        districts=2, bases=2, cells=3, per_cell=12, today=date(2026, 11, 20), out=messages.append
    )
    cells = Unit.objects.filter(kind=Kind.CELL)
    assert cells.count() == 12 and Unit.objects.filter(kind=Kind.DISTRICT).count() == 2
    assert all(c.path.startswith(Unit.objects.get(code="PV").path) for c in cells)
    first = list(Member.objects.order_by("pk").values_list("full_name", "citizen_id")[:20])
    stages = set(Referral.objects.values_list("stage", flat=True))
    assert {Stage.INTRODUCED, Stage.ADMITTED} <= stages
    admitted = Referral.objects.filter(stage=Stage.ADMITTED, joins="union")
    assert admitted.count() == Member.objects.filter(admission__isnull=False).count() > 0
    assert Target.objects.filter(unit__code="PV", year=2026).get().union == 5 * 12
    # Admissions come as a base union's monthly decisions (the 25th, one for the Union, one for the Federation),
    # numbered in date order within the base union and year; none dated after the day of the seed.
    decisions = {}
    for base, joins, number, day in Referral.objects.filter(stage=Stage.ADMITTED).values_list(
        "cell__parent_id", "joins", "decision_number", "decision_date"
    ):
        assert day.day == 25 and day <= date(2026, 11, 20)
        decisions.setdefault((base, day.year), {}).setdefault((day, joins), set()).add(number)
    assert any(len(d) > 1 for d in decisions.values())
    assert (
        Referral.objects.filter(stage=Stage.ADMITTED)
        .values("decision_number", "decision_date", "cell__parent")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .exists()
    )
    for listed in decisions.values():
        assert all(len(numbers) == 1 for numbers in listed.values())  # one number a decision...
        numbers = [int(n.pop().split("-")[0]) for _key, n in sorted(listed.items())]
        assert numbers == list(range(1, len(numbers) + 1))  # ...counted up through the year
    province_seed.seed_province(districts=2, bases=2, cells=3, per_cell=12, out=messages.append)  # safe to run twice
    assert Unit.objects.filter(kind=Kind.CELL).count() == 12 and "đã có sẵn" in messages[-1]
    assert list(Member.objects.order_by("pk").values_list("full_name", "citizen_id")[:20]) == first
    assert province_seed.data_year() == 2026  # the year the benchmark and the load test read


def test_the_province_is_seeded_as_of_the_last_20_november_so_its_years_stay_on_offer():
    """Seeded in January 2027 it holds the same data as in December 2026 (2026 is then last year, which the
    dashboard and reports still offer); from 20/11/2027 on, it runs up to 2027."""
    assert province_seed.seed_day(date(2026, 11, 27)) == date(2026, 11, 20)
    assert province_seed.seed_day(date(2027, 1, 10)) == date(2026, 11, 20)
    assert province_seed.seed_day(date(2027, 11, 19)) == date(2026, 11, 20)
    assert province_seed.seed_day(date(2027, 11, 20)) == date(2027, 11, 20)
