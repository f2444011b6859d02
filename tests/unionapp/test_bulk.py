"""The bulk loader (seeds, summary rebuild) writes what the ORM would: the same values read back, and ids that
later ordinary writes continue after."""

from datetime import UTC, date, datetime, timedelta

from members.models import Gender, Member, Status
from tests.factories import make_member
from unionapp import bulk


def test_bulk_insert_writes_what_the_orm_reads_back_and_the_ids_continue(tree):
    before = make_member(tree.C1)
    made = datetime(2026, 3, 1, 2, 30, 15, 123456, tzinfo=UTC)
    members = [
        Member(cell=tree.C1, full_name="Lò Thị Ánh", date_of_birth=date(2008, 2, 29), gender=Gender.FEMALE,
               status=Status.AWAY, left_on=None, party_introduced_on=date(2026, 5, 19), created_at=made),
        Member(cell=tree.C2, full_name="Hà Văn Đông", date_of_birth=date(1999, 12, 31), gender=Gender.MALE,
               citizen_id=None, phone=""),
    ]  # fmt: skip
    for m in members:
        m.refresh_derived()
    assert bulk.insert(members) == 2
    assert [m.pk for m in members] == [before.pk + 1, before.pk + 2]
    first, second = (Member.objects.get(pk=m.pk) for m in members)
    assert (first.cell, first.full_name, first.date_of_birth, first.gender) == (
        tree.C1,
        "Lò Thị Ánh",
        date(2008, 2, 29),
        "F",
    )
    assert (first.status, first.party_introduced_on, first.created_at) == ("away", date(2026, 5, 19), made)
    assert first.search_name == members[0].search_name and first.sort_key == members[0].sort_key
    assert (second.cell, second.citizen_id, second.phone, second.version) == (tree.C2, None, "", 1)
    assert abs(second.created_at - members[1].created_at) < timedelta(microseconds=1)
    # An ordinary write afterwards takes the next id (PostgreSQL's sequence was moved past the given ones).
    assert make_member(tree.C1).pk == before.pk + 3


def test_bulk_update_writes_each_row_its_own_values_nulls_and_dates_included(tree):
    a, b, untouched = (
        make_member(tree.C1, phone="0912000111", party_introduced_on=date(2025, 5, 19)) for _ in range(3)
    )
    # A column NULL in every row (the Party date) and one NULL in the first row only (the day the member left).
    rows = [("0987654321", "away", None, None, b.pk), ("", "transferred", date(2026, 4, 30), None, a.pk)]
    assert bulk.update_rows(Member, ("phone", "status", "left_on", "party_introduced_on"), rows) == 2
    got = {m.pk: (m.phone, m.status, m.left_on, m.party_introduced_on) for m in Member.objects.filter(cell=tree.C1)}
    assert got == {
        a.pk: ("", "transferred", date(2026, 4, 30), None),
        b.pk: ("0987654321", "away", None, None),
        untouched.pk: ("0912000111", "active", None, date(2025, 5, 19)),
    }
