"""Deterministic demo data: names, the small demo province, the demo accounts."""

import os
import random
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from members.models import Gender, Member, Rating, Status, Transfer, YearRating
from unionapp import bulk
from unionapp.models import Assignment, Kind, Role, Unit

DEMO_PASSWORD = "doan1931"
ALLOW_ENV = "UNIONAPP_ALLOW_DEMO_DATA"


def refuse_in_production() -> None:
    """Demo and benchmark data (accounts whose password is published, invented people) must not reach a
    production database by mistake: the commands that write it run with DEBUG on, or on a training
    server that says so with UNIONAPP_ALLOW_DEMO_DATA=1."""
    if not settings.DEBUG and os.environ.get(ALLOW_ENV) != "1":
        raise CommandError(
            "Lệnh này ghi dữ liệu mẫu (tài khoản có mật khẩu công khai) và chỉ chạy khi DEBUG bật. "
            f"Máy chủ tập huấn: đặt {ALLOW_ENV}=1. / This command writes demo data and runs only with "
            f"DEBUG on, or with {ALLOW_ENV}=1 on a training server."
        )


DEMO_ACCOUNTS = [
    # username, role, unit code, display name
    ("tinh", Role.PROVINCE_OFFICE, "LS", "Văn phòng Tỉnh đoàn"),
    ("huyen", Role.DISTRICT_STAFF, "LS-CL", "Cán bộ Huyện đoàn Chi Lăng"),
    ("xa", Role.BASE_OFFICER, "LS-CL-QL", "Cán bộ Đoàn xã Quang Lang"),
    ("chidoan", Role.CELL_SECRETARY, "LS-CL-QL-BT", "Bí thư Chi đoàn thôn Bản Trại"),
]

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Lương",
    "Nông",
    "Hà",
    "Triệu",
    "Lộc",
    "Vi",
    "Đinh",
    "Mai",
    "Chu",
]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Thành", "Công", "Ngọc", "Xuân", "Tiến", "Đình", "Anh"]
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Kim", "Phương", "Bích", "Thùy", "Diệu", "Mai"]
GIVEN_M = [
    "An",
    "Bảo",
    "Cường",
    "Dũng",
    "Đạt",
    "Định",
    "Đức",
    "Giang",
    "Hải",
    "Hiếu",
    "Hoàng",
    "Hùng",
    "Huy",
    "Khánh",
    "Khoa",
    "Kiên",
    "Long",
    "Mạnh",
    "Minh",
    "Nam",
    "Nghĩa",
    "Phong",
    "Phúc",
    "Quân",
    "Quang",
    "Sơn",
    "Tài",
    "Thắng",
    "Thành",
    "Tiến",
    "Toàn",
    "Trung",
    "Tuấn",
    "Tùng",
    "Việt",
    "Vinh",
    "Vũ",
]
GIVEN_F = [
    "An",
    "Anh",
    "Ánh",
    "Bích",
    "Chi",
    "Diệp",
    "Dung",
    "Duyên",
    "Giang",
    "Hà",
    "Hằng",
    "Hạnh",
    "Hiền",
    "Hoa",
    "Hồng",
    "Huyền",
    "Hương",
    "Lan",
    "Linh",
    "Loan",
    "Mai",
    "My",
    "Nga",
    "Ngân",
    "Ngọc",
    "Nhung",
    "Oanh",
    "Phương",
    "Quỳnh",
    "Thảo",
    "Thu",
    "Thủy",
    "Trang",
    "Trâm",
    "Uyên",
    "Vân",
    "Yến",
]
ETHNIC = ["Kinh"] * 6 + ["Tày", "Nùng", "Dao", "H'Mông"]
OCCUPATION = ["Học sinh", "Sinh viên", "Công nhân", "Nông dân", "Kinh doanh tự do", "Giáo viên", "Viên chức"]
EDUCATION = ["9/12", "12/12", "Trung cấp", "Cao đẳng", "Đại học"]


def person(rng: random.Random) -> tuple[str, str]:
    gender = rng.choice([Gender.MALE, Gender.FEMALE])
    middle, given = (MIDDLE_M, GIVEN_M) if gender == Gender.MALE else (MIDDLE_F, GIVEN_F)
    return f"{rng.choice(FAMILY)} {rng.choice(middle)} {rng.choice(given)}", gender


def make_member(rng: random.Random, cell: Unit, n: int, today: date, id_prefix: str = "0") -> Member:
    name, gender = person(rng)
    age_days = rng.randint(16 * 365 + 5, 30 * 365 - 5)
    born = today - timedelta(days=age_days)
    joined = born + timedelta(days=rng.randint(16 * 365, max(16 * 365, age_days - 30)))
    status = rng.choices(list(Status), weights=[86, 8, 2, 2, 1, 1])[0]
    member = Member(
        cell=cell,
        full_name=name,
        date_of_birth=born,
        gender=gender,
        ethnicity=rng.choice(ETHNIC),
        religion="Không",
        citizen_id=f"0{rng.randint(10, 99)}{rng.randint(0, 1)}{born.year % 100:02d}{n:06d}"
        if rng.random() < 0.7
        else None,
        phone=f"09{rng.randint(10_000_000, 99_999_999)}" if rng.random() < 0.8 else "",
        address=f"Thôn {cell.name.split()[-1]}, {cell.parent.name.replace('Đoàn ', '')}",
        education=rng.choice(EDUCATION),
        occupation=rng.choice(OCCUPATION),
        joined_on=min(joined, today),
        card_number=f"{cell.code}-{n:05d}",
        status=status,
    )
    if status not in Status.COUNTED:
        # Left after joining (the register's forms keep that order too).
        member.left_on = min(today, max(today - timedelta(days=rng.randint(1, 700)), member.joined_on + timedelta(1)))
    if rng.random() < 0.04:
        # Introduced to the Party as a member, and admitted at 18 or over (the forms' rules).
        introduced = today - timedelta(days=rng.randint(30, 700))
        admitted = introduced + timedelta(days=rng.randint(60, 300)) if rng.random() < 0.45 else None
        eighteen = born + timedelta(days=18 * 366)
        if introduced >= member.joined_on:
            member.party_introduced_on = introduced
            ok = admitted and eighteen <= admitted <= today  # not yet: no future dates
            member.party_admitted_on = admitted if ok else None
    member.refresh_derived()
    return member


SMALL_TREE = {
    # code: (name, kind, parent code)
    "LS": ("Tỉnh đoàn Lạng Sơn", Kind.PROVINCE, None),
    "LS-CL": ("Huyện đoàn Chi Lăng", Kind.DISTRICT, "LS"),
    "LS-CL-QL": ("Đoàn xã Quang Lang", Kind.BASE, "LS-CL"),
    "LS-CL-QL-BT": ("Chi đoàn thôn Bản Trại", Kind.CELL, "LS-CL-QL"),
    "LS-CL-QL-DM": ("Chi đoàn thôn Đồng Mỏ", Kind.CELL, "LS-CL-QL"),
    "LS-CL-QL-KL": ("Chi đoàn thôn Khòn Lạn", Kind.CELL, "LS-CL-QL"),
    "LS-CL-MS": ("Đoàn xã Mai Sao", Kind.BASE, "LS-CL"),
    "LS-CL-MS-NA": ("Chi đoàn thôn Nà Ản", Kind.CELL, "LS-CL-MS"),
    "LS-CL-MS-LC": ("Chi đoàn thôn Lũng Cút", Kind.CELL, "LS-CL-MS"),
    "LS-CLO": ("Huyện đoàn Cao Lộc", Kind.DISTRICT, "LS"),
    "LS-CLO-DD": ("Đoàn thị trấn Đồng Đăng", Kind.BASE, "LS-CLO"),
    "LS-CLO-DD-PH": ("Chi đoàn khối Phố Hữu Nghị", Kind.CELL, "LS-CLO-DD"),
    "LS-CLO-DD-TH": ("Chi đoàn trường THPT Đồng Đăng", Kind.CELL, "LS-CLO-DD"),
    "LS-LVT": ("Đoàn phường Lương Văn Tri", Kind.BASE, "LS"),
    "LS-LVT-K1": ("Chi đoàn khối 1", Kind.CELL, "LS-LVT"),
    "LS-LVT-K2": ("Chi đoàn khối 2", Kind.CELL, "LS-LVT"),
    "LS-LVT-K3": ("Chi đoàn khối 3", Kind.CELL, "LS-LVT"),
    "LS-TH": ("Đoàn phường Tam Thanh", Kind.BASE, "LS"),
    "LS-TH-K1": ("Chi đoàn khối Ngọc Tuyền", Kind.CELL, "LS-TH"),
    "LS-TH-K2": ("Chi đoàn khối Nhị Thanh", Kind.CELL, "LS-TH"),
}


@transaction.atomic
def seed_small(today: date | None = None) -> bool:
    """Build the demo province; returns False (and changes nothing) when it is already there."""
    if Unit.objects.filter(code="LS").exists():
        return False
    today = today or timezone.localdate()
    rng = random.Random(1931)
    units: dict[str, Unit] = {}
    for code, (name, kind, parent) in SMALL_TREE.items():
        units[code] = Unit.add(name=name, code=code, kind=kind, parent=units.get(parent))
    members = []
    n = 0
    for unit in units.values():
        if unit.kind != Kind.CELL:
            continue
        for _ in range(rng.randint(14, 30)):
            n += 1
            members.append(make_member(rng, unit, n, today))
    Member.objects.bulk_create(members, batch_size=500)
    ratings = [
        YearRating(
            member=m,
            cell_id=m.cell_id,
            year=today.year - 1,
            rating=rng.choices(list(Rating), weights=[20, 50, 25, 5])[0],
        )
        for m in Member.objects.filter(units["LS"].subtree_q("cell__"), status__in=Status.COUNTED)
    ]
    YearRating.objects.bulk_create(ratings, batch_size=500)
    users = {}
    for username, role, code, display in DEMO_ACCOUNTS:
        users[username] = User.objects.create_user(username, password=DEMO_PASSWORD, first_name=display)
        Assignment.objects.create(user=users[username], unit=units[code], role=role)
    seed_referrals(rng, list(units.values()), users["tinh"], today)
    seed_targets(units, today.year)
    # A youth of Mai Sao on a temporary transfer to Bản Trại (the demo secretary's cell) for the season's work.
    guest = Member.objects.filter(cell=units["LS-CL-MS-NA"], status=Status.ACTIVE).order_by("-pk").first()
    Transfer.objects.create(
        member=guest,
        from_cell=guest.cell,
        to_cell=units["LS-CL-QL-BT"],
        state=Transfer.State.ACCEPTED,
        reason="Làm thời vụ ở thôn Bản Trại",
        date=today - timedelta(days=20),
        until=today + timedelta(days=40),
        requested_by=users["tinh"],
        decided_by=users["tinh"],
        decided_at=timezone.now(),
    )
    from reports import tally

    tally.refresh(u.pk for u in units.values() if u.kind == Kind.CELL)
    return True


def seed_referrals(rng: random.Random, units: list[Unit], by: User, today: date) -> None:
    """Referrals this year and last year for the demo province."""
    cells = [u for u in units if u.kind == Kind.CELL]
    introducers = {c.pk: list(Member.objects.filter(cell=c, status=Status.ACTIVE).order_by("pk")) for c in cells}
    write_referrals(rng, cells, introducers, years=(today.year - 1, today.year), per_cell=(3, 9), by=by, today=today)


def decision_day(ready: date) -> date:
    """The day a base union approves a candidate ready on ``ready``: its standing committee signs one decision a
    month, on the 25th, for the Union and one for the Federation."""
    if ready.day <= 25:
        return ready.replace(day=25)
    return (ready.replace(day=1) + timedelta(days=32)).replace(day=25)


def write_referrals(rng, cells, introducers, *, years, per_cell, by, today, batch_size=5000) -> tuple[int, int]:
    """Referrals for every cell in ``years``, in every stage, into the union and the federation; the
    union admissions become members. Bulk writes only (the demo and the province scale both use it)."""
    from referrals.models import Joins, Place, Referral, ReferralEvent, Stage

    referrals, admitted = [], []
    decisions = {}  # (base union, Union or Federation, day): the referrals that one approval decision admits
    for year in years:
        last_day = today if year == today.year else date(year, 12, 31)
        span = (last_day - date(year, 1, 1)).days
        for cell in cells:
            candidates = introducers.get(cell.pk) or []
            for _ in range(rng.randint(*per_cell)):
                introduced_on = date(year, 1, 1) + timedelta(days=rng.randint(0, span))
                name, gender = person(rng)
                joins = Joins.UNION if rng.random() < 0.6 else Joins.FEDERATION
                born = introduced_on - timedelta(days=rng.randint(16 * 365 + 30, 25 * 365))
                r = Referral(cell=cell, full_name=name, date_of_birth=born, gender=gender, joins=joins,
                             place_kind=rng.choice(list(Place)), introduced_on=introduced_on, created_by=by)  # fmt: skip
                # Introduced by a member of the cell who had joined by then (the referral form's rule).
                eligible = [m for m in candidates if m.joined_on is None or m.joined_on <= introduced_on]
                if eligible and rng.random() < 0.88:
                    r.introducer = rng.choice(eligible)
                else:
                    r.collective_kind, r.collective_name = "pioneer_unit", f"Liên đội {cell.name}"
                age = (today - introduced_on).days
                stage = Stage.INTRODUCED
                if age > 20:
                    stage = rng.choices([Stage.TRAINING, Stage.REVIEWED, Stage.ADMITTED, Stage.NOT_ADMITTED,
                                         Stage.WITHDRAWN], weights=[6, 6, 78, 4, 6])[0]  # fmt: skip
                    if age < 60 and stage in (Stage.ADMITTED, Stage.NOT_ADMITTED):
                        stage = Stage.REVIEWED
                if stage not in (Stage.INTRODUCED, Stage.WITHDRAWN):
                    r.course_name, r.course_start = "Lớp bồi dưỡng nhận thức về Đoàn", introduced_on + timedelta(days=7)
                if stage in (Stage.REVIEWED, Stage.ADMITTED, Stage.NOT_ADMITTED):
                    r.review_date = introduced_on + timedelta(days=20)
                    r.votes_present = rng.randint(10, 40)
                    r.votes_for = r.votes_present - rng.randint(0, 3)
                if stage == Stage.ADMITTED:
                    r.decision_date = decision_day(r.review_date + timedelta(days=rng.randint(7, 40)))
                    if r.decision_date > today:
                        stage, r.decision_date = Stage.REVIEWED, None  # the next decision is still to come
                if stage == Stage.ADMITTED:
                    decisions.setdefault((cell.parent_id, joins, r.decision_date), []).append(r)
                    r.admitted_cell = cell
                    if joins == Joins.UNION:
                        m = Member(
                            cell=cell, full_name=name, date_of_birth=born, gender=gender, joined_on=r.decision_date
                        )
                        m.refresh_derived()
                        admitted.append(m)
                        r.member = m
                if stage in (Stage.NOT_ADMITTED, Stage.WITHDRAWN):
                    r.closing_reason = "Chưa đủ điều kiện" if stage == Stage.NOT_ADMITTED else "Chuyển đi nơi khác"
                r.stage = stage
                r.refresh_derived()
                referrals.append(r)
    # Numbered in date order within each base union and year, as its office numbers them.
    numbers = {}
    for (base, _joins, day), listed in sorted(decisions.items(), key=lambda item: (item[0][0], item[0][2], item[0][1])):
        n = numbers[base, day.year] = numbers.get((base, day.year), 0) + 1
        for r in listed:
            r.decision_number = f"{n}-QĐ/ĐTN"
    bulk.insert(admitted, batch_size)
    for r in referrals:
        if r.member is not None:
            r.member_id = r.member.pk
    bulk.insert(referrals, batch_size)
    bulk.insert(
        [ReferralEvent(referral_id=r.pk, to_stage=r.stage, by=by, note="Dữ liệu mẫu") for r in referrals], batch_size
    )
    return len(referrals), len(admitted)


def seed_targets(units: dict[str, Unit], year: int) -> None:
    """Targets for the province and every unit under it, for this year and last year."""
    from reports.models import Target

    cells_under = {u.pk: 0 for u in units.values()}
    for u in units.values():
        if u.kind == Kind.CELL:
            for pk in u.ancestor_ids():
                cells_under[pk] += 1
    targets = []
    for y in (year - 1, year):
        for u in units.values():
            n = cells_under[u.pk]
            targets.append(Target(unit=u, year=y, union=6 * n, federation=3 * n, party=max(1, n // 3)))
    Target.objects.bulk_create(targets)
