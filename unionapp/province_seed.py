"""A province at real scale, for the benchmark: 12 districts of 15 base unions of 13 cells
(2.340 cells), about 50 members a cell, three years of referrals in every stage, ratings,
Party milestones and targets at every level. Deterministic, bulk writes only."""

import random
from datetime import date

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from members.models import Member, Rating, Status, YearRating
from unionapp import bulk
from unionapp.demo import DEMO_PASSWORD, make_member, write_referrals
from unionapp.models import Assignment, Kind, Role, Unit

CODE = "PV"
PLACES = ["An Bình", "Bình Minh", "Cẩm Phú", "Đông Hòa", "Gia Lộc", "Hòa Bình", "Kim Sơn", "Long Phú", "Mỹ Lộc",
          "Nam Định", "Phú Hòa", "Quang Trung", "Sơn Tây", "Tân Phú", "Thanh Hà", "Vĩnh Phúc", "Xuân Lộc", "Yên Thành",
          "Bảo Lâm", "Cao Phong", "Đức Thọ", "Hải Hậu", "Lạc Sơn", "Ngọc Lặc", "Phù Cừ", "Tam Đảo", "Thạch Hà"]  # fmt: skip
CELL_KINDS = ["thôn", "khu phố", "trường THPT", "khối", "xóm"]
BENCH_USERS = [
    # username, role, how to find the unit
    ("bench_tinh", Role.PROVINCE_OFFICE, "province"),
    ("bench_huyen", Role.DISTRICT_STAFF, "district"),
    ("bench_xa", Role.BASE_OFFICER, "base"),
    ("bench_chidoan", Role.CELL_SECRETARY, "cell"),
]


def exists() -> bool:
    return Unit.objects.filter(code=CODE).exists()


def seed_day(today: date) -> date:
    """The day the province is seeded as of: 20 November of the latest year in which it has come (the year's
    admissions nearly all in, its review not yet done). The same day, and so the same data, for a whole
    year of runs, and always within the years the pages offer."""
    day = date(today.year, 11, 20)
    return day if day <= today else date(today.year - 1, 11, 20)


def data_year(code: str = CODE) -> int | None:
    """The latest year with a target at the top of the tree ``code``: the year its seeded data run up to,
    which the benchmark and the load test read (the day they run may be in a later year)."""
    from reports.models import Target

    return Target.objects.filter(unit__code=code).aggregate(year=Max("year"))["year"]


def _units(rng, next_id, districts, bases, cells):
    """Unit rows with their ids and paths decided here, so one bulk insert writes the tree."""
    units = []

    def add(name, code, kind, parent):
        nonlocal next_id
        path = f"{parent.path if parent else '/'}{next_id}/"
        u = Unit(pk=next_id, name=name, code=code, kind=kind, parent=parent, path=path, depth=path.count("/") - 2)
        next_id += 1
        units.append(u)
        return u

    province = add("Tỉnh đoàn Phú Vinh", CODE, Kind.PROVINCE, None)
    for d in range(districts):
        district = add(f"Huyện đoàn {PLACES[d % len(PLACES)]}", f"{CODE}-D{d + 1:02d}", Kind.DISTRICT, province)
        for b in range(bases):
            place = PLACES[(d * bases + b + 7) % len(PLACES)]
            base = add(f"Đoàn xã {place} {b + 1}", f"{district.code}-X{b + 1:02d}", Kind.BASE, district)
            for c in range(cells):
                kind = CELL_KINDS[(b + c) % len(CELL_KINDS)]
                add(f"Chi đoàn {kind} {c + 1}", f"{base.code}-C{c + 1:02d}", Kind.CELL, base)
    return units


@transaction.atomic
def seed_province(*, districts=12, bases=15, cells=13, per_cell=50, today: date | None = None, out=print) -> None:
    from reports.models import Target

    if exists():
        out("Tỉnh quy mô lớn đã có sẵn; không thay đổi gì.")
        return
    today = today or seed_day(timezone.localdate())
    rng = random.Random(2025)
    next_id = (Unit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    units = _units(rng, next_id, districts, bases, cells)
    Unit.objects.bulk_create(units, batch_size=2000)
    bulk.reset_sequence(Unit)
    cell_units = [u for u in units if u.kind == Kind.CELL]
    out(f"Đơn vị: {len(units)} (chi đoàn: {len(cell_units)})")

    n = 0
    members = []
    for cell in cell_units:
        for _ in range(rng.randint(per_cell - 10, per_cell + 10)):
            n += 1
            members.append(make_member(rng, cell, n, today, id_prefix="9"))
    bulk.insert(members)
    out(f"Đoàn viên: {len(members)}")

    # Ratings for last year.
    ratings = [
        YearRating(
            member_id=m.pk,
            cell_id=m.cell_id,
            year=today.year - 1,
            rating=rng.choices(list(Rating), weights=[20, 50, 25, 5])[0],
        )
        for m in members
        if m.status in Status.COUNTED
    ]
    bulk.insert(ratings)

    by = User.objects.filter(is_superuser=True).first() or User.objects.create_user("seed_province", is_active=False)
    by_cell: dict[int, list[Member]] = {}
    for m in members:
        if m.status == Status.ACTIVE:
            by_cell.setdefault(m.cell_id, []).append(m)
    n_referrals, n_admitted = write_referrals(
        rng,
        cell_units,
        by_cell,
        years=(today.year - 2, today.year - 1, today.year),
        per_cell=(9, 17),
        by=by,
        today=today,
    )
    out(f"Giới thiệu: {n_referrals} (kết nạp đoàn viên: {n_admitted})")

    cells_under: dict[int, int] = {u.pk: 0 for u in units}
    for u in cell_units:
        for pk in u.ancestor_ids():
            cells_under[pk] += 1
    targets = [
        Target(
            unit_id=u.pk,
            year=y,
            union=5 * cells_under[u.pk],
            federation=3 * cells_under[u.pk],
            party=max(1, cells_under[u.pk] // 4),
        )  # fmt: skip
        for y in (today.year - 2, today.year - 1, today.year)
        for u in units
    ]
    bulk.insert(targets)

    first = {
        kind: next(u for u in units if u.kind == kind) for kind in (Kind.PROVINCE, Kind.DISTRICT, Kind.BASE, Kind.CELL)
    }
    for username, role, kind in BENCH_USERS:
        user = User.objects.filter(username=username).first() or User.objects.create_user(
            username, password=DEMO_PASSWORD
        )
        Assignment.objects.get_or_create(user=user, unit=first[kind], role=role)
    from reports import tally

    out(f"Dòng tổng hợp: {tally.rebuild()}")
    out("Xong.")
