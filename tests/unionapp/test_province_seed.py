from datetime import date

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
    province_seed.seed_province(districts=2, bases=2, cells=3, per_cell=12, out=messages.append)  # safe to run twice
    assert Unit.objects.filter(kind=Kind.CELL).count() == 12 and "đã có sẵn" in messages[-1]
    assert list(Member.objects.order_by("pk").values_list("full_name", "citizen_id")[:20]) == first
