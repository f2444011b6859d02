"""The summary rows the reports read (reports/tally.py) say exactly what the register says.

Three things are checked: the arithmetic that turns a period into rows (any dates), that every write
path leaves the rows equal to a fresh computation from the register, and that the report's figures
from the rows equal the figures counted from the register directly (``live_counts``)."""

import random
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from members import excel
from members import services as member_services
from members.models import Status
from referrals import services
from referrals.models import Joins, Referral
from reports import tally
from reports.models import CellTally, Grain, UnitMonth
from reports.periods import Period
from reports.rollup import COUNTS, Figures, build_report, live_counts, per_cell_counts
from tests.factories import make_member, make_referral, make_unit, reviewed_referral
from tests.members.test_excel import xlsx
from tests.reports.conftest import Y, walk_to_admission
from unionapp.models import Kind, Unit

DAYS = st.dates(min_value=date(2019, 1, 1), max_value=date(2027, 12, 31))
rng = random.Random(1931)
EVENTS = [date(2019, 1, 1) + timedelta(days=rng.randrange(9 * 365)) for _ in range(400)]
ROWS: dict = {}
for day in EVENTS:
    for key in tally.spans_of(day):
        ROWS[key] = ROWS.get(key, 0) + 1


def add_up(terms: dict, open_after: date | None = None) -> int:
    total = sum(ROWS.get(key, 0) * coef for key, coef in terms.items())
    if open_after:
        total -= sum(n for (grain, day), n in ROWS.items() if grain == Grain.YEAR and day > open_after)
    return total


@settings(max_examples=300, deadline=None)
@given(a=DAYS, length=st.integers(min_value=0, max_value=800))
def test_any_date_range_is_a_sum_of_rows(a, length):
    b = a + timedelta(days=length)
    assert add_up(tally.interval(a, b)) == sum(1 for d in EVENTS if a <= d <= b)


@settings(max_examples=300, deadline=None)
@given(d=DAYS)
def test_events_up_to_any_day_are_a_sum_of_rows(d):
    terms, open_after = tally.prefix(d)
    assert add_up(terms, open_after) == sum(1 for e in EVENTS if e <= d)


def test_a_year_reads_one_row_per_cell_and_the_first_of_january_three():
    assert tally.interval(date(Y, 1, 1), date(Y, 12, 31)) == {(Grain.YEAR, date(Y, 1, 1)): 1}
    terms, _open = tally.prefix(date(Y, 1, 1))
    assert terms == {(Grain.ALL, tally.EVER): 1, (Grain.YEAR, date(Y, 1, 1)): -1, (Grain.DAY, date(Y, 1, 1)): 1}


PERIODS = [
    Period(date(Y, 1, 1), date(Y, 12, 31), "year"),
    Period(date(Y, 1, 1), date(Y, 6, 30), "h1"),
    Period(date(Y, 4, 1), date(Y, 6, 30), "q2"),
    Period(date(Y, 7, 1), date(Y, 9, 30), "q3"),
    Period(date(Y - 1, 1, 1), date(Y - 1, 12, 31), "year"),
    Period(date(Y, 3, 1), date(Y, 3, 1), "range"),
    Period(date(Y, 2, 2), date(Y, 7, 1), "range"),
    Period(date(2019, 12, 30), date(Y, 1, 2), "range"),
]


def same_figures(cell_ids, periods=PERIODS):
    for period in periods:
        stored = per_cell_counts(period, cell_ids)
        live = live_counts(period, cell_ids)
        for cell_id in cell_ids:
            a, b = stored.get(cell_id, Figures()), live.get(cell_id, Figures())
            a.open_referrals = b.open_referrals = 0  # the dashboard's pipeline, checked on its own
            assert a == b, (period, Unit.objects.get(pk=cell_id).name)


def cells(tree):
    return {u.pk for u in Unit.objects.filter(tree.P.subtree_q(), kind=Kind.CELL)}


def same_report_rows(units, periods=PERIODS):
    """Each report's rows (grouped per child in the database) and per-cell figures (the Excel sheet)
    equal the register's figures, cell by cell and added up per child."""
    for unit in units:
        cell_paths = dict(Unit.objects.filter(unit.subtree_q(), kind=Kind.CELL).values_list("pk", "path"))
        for period in periods:
            live = live_counts(period, set(cell_paths))
            report = build_report(unit, period, per_cell=True)
            assert set(report.per_cell) <= set(cell_paths)
            for cell_id in cell_paths:
                assert _counts(report.per_cell.get(cell_id, Figures())) == _counts(live.get(cell_id, Figures()))
            if unit.kind == Kind.CELL:
                assert _counts(report.total) == _counts(live.get(unit.pk, Figures()))
                continue
            for row in report.rows:
                under = [f for pk, f in live.items() if cell_paths[pk].startswith(row.unit.path)]
                assert _counts(row.figures) == _counts(Figures.summed(under)), (unit.name, period, row.label)
            assert _counts(report.total) == _counts(Figures.summed(live.values())), (unit.name, period)


def _counts(f: Figures) -> tuple:
    return tuple(getattr(f, name) for name in COUNTS)


def test_every_write_path_keeps_the_rows_equal_to_the_register(tree, people, known, tmp_path):
    by = people.province
    # Members: created, edited (join date and Party milestones), leaving, coming back, moved, transferred.
    m = make_member(tree.C2, joined_on=date(2021, 5, 5))
    m.joined_on, m.party_introduced_on = date(Y, 2, 2), date(Y, 3, 3)
    member_services.save_member(member=m, by=by, expected_version=m.version)
    member_services.change_status(member=known.m2, to_status=Status.AWAY, on=date(Y, 5, 1), reason="x", by=by)
    member_services.change_status(member=known.m3, to_status=Status.MATURED, on=date(Y, 8, 1), reason="x", by=by)
    member_services.change_status(member=m, to_status=Status.REMOVED, on=date(Y, 6, 6), reason="x", by=by)
    member_services.change_status(member=m, to_status=Status.ACTIVE, on=date(Y, 7, 7), reason="x", by=by)
    member_services.move_member(member=known.m1, to_cell=tree.C2, on=date(Y, 9, 9), reason="x", by=by)
    transfer = member_services.request_transfer(member=known.c3, to_cell=tree.C4, on=date(Y, 10, 1), reason="x", by=by)
    member_services.decide_transfer(transfer=transfer, accept=True, by=people.officer)
    gone = make_member(tree.C4)
    member_services.delete_member(member=gone, by=by)
    # Referrals: logged, trained, reviewed, admitted into another cell, refused, withdrawn.
    r = walk_to_admission(make_referral(tree.C3, by, introducer=known.c3, introduced_on=date(Y, 2, 1)),
                          by, date(Y, 8, 8), cell=tree.C3)  # fmt: skip
    assert r.member.cell_id == tree.C3.pk
    mistake = walk_to_admission(make_referral(tree.C2, by, introduced_on=date(Y, 2, 3)), by, date(Y, 8, 9),
                                cell=tree.C1)  # fmt: skip
    services.undo_admission(referral=mistake, by=by, reason="Ghi nhầm")
    services.refuse(referral=reviewed_referral(tree.C2, by), by=by, reason="x")
    services.withdraw(referral=make_referral(tree.C4, by, joins=Joins.FEDERATION), by=by, reason="x")
    # An import, and its undo.
    path = tmp_path / "import.xlsx"
    path.write_bytes(xlsx([[1, "Nguyễn Văn Nhập", "01/02/2000", "Nam", "", "", "", "", "", "", "", "03/02/2026", "",
                            tree.C2.code]]).getvalue())  # fmt: skip
    batch, result = excel.commit_file(str(path), tree.C2, date(Y, 11, 1), by=by, file_name="import.xlsx")
    assert batch is not None, result.error_rows()
    assert tally.check() == []
    same_figures(cells(tree))
    # Another province in the same database stays out of this one's figures.
    other = make_unit(Kind.CELL, make_unit(Kind.BASE, make_unit(Kind.PROVINCE, name="Tỉnh đoàn Khác")))
    make_member(other, joined_on=date(2020, 1, 1))
    make_referral(other, by)
    same_report_rows([tree.P, tree.D1, tree.D2, tree.B1, tree.C2])
    excel.undo_batch(batch, by=by)

    assert tally.check() == []
    same_figures(cells(tree))


def test_deleting_referrals_recounts_every_cell_they_counted_in(tree, people, known):
    by = people.province
    # Logged in C2 by a member of C1, admitted into a third cell of the same base union: three cells count it.
    third = make_unit(Kind.CELL, tree.B1, name="Chi đoàn Năm", code="C5")
    r = walk_to_admission(make_referral(tree.C2, by, introducer=known.m1, introduced_on=date(Y, 2, 1)),
                          by, date(Y, 8, 8), cell=third)  # fmt: skip
    make_referral(tree.C4, by, full_name="Thử Xóa Hai")
    assert services.delete_referrals(Referral.objects.filter(pk__in=[r.pk])) == 1
    assert services.delete_referrals(Referral.objects.filter(full_name="Thử Xóa Hai")) == 1
    assert tally.check() == []


def test_the_rows_equal_the_register_on_the_seeded_demo(db):
    from unionapp import demo

    demo.seed_small(today=date(Y, 11, 20))
    assert tally.check() == []
    province = Unit.objects.get(code="LS")
    ids = {u.pk for u in Unit.objects.filter(province.subtree_q(), kind=Kind.CELL)}
    same_figures(ids)
    same_report_rows([province, *province.children.all()[:2]], periods=PERIODS[:1] + PERIODS[-2:])
    # A broken row is found, and rebuilt.
    row = CellTally.objects.filter(grain=Grain.YEAR).first()
    CellTally.objects.filter(pk=row.pk).update(introduced=row.introduced + 1)
    assert len(tally.check()) == 1
    with pytest.raises(Exception, match="lệch"):
        call_command("tallies")
    call_command("tallies", "--rebuild")
    assert tally.check() == []


def test_months_follow_a_unit_moved_in_the_tree_and_a_broken_one_is_rebuilt(tree, people, known):
    # Admissions 2026: C1 (B1, D1) in June and July, C4 (B3, directly under the province) in February.
    def months(unit):
        return {day.month: n for day, n in tally.monthly(date(Y, 1, 1), date(Y, 12, 1), unit) if n}

    assert (months(tree.D1), months(tree.D2), months(tree.B3)) == ({6: 1, 7: 1}, {}, {2: 1})
    tree.B1.move_to(tree.D2)  # between districts
    assert (months(tree.D1), months(tree.D2)) == ({}, {6: 1, 7: 1})
    tree.B3.move_to(tree.D1)  # a unit directly under the province goes under a district
    tree.B1.move_to(tree.P)  # and a base union comes up to the province
    assert (months(tree.D1), months(tree.D2), months(tree.B1), months(tree.B3)) == ({2: 1}, {}, {6: 1, 7: 1}, {2: 1})
    assert months(tree.P) == {2: 1, 6: 1, 7: 1}
    assert tally.check() == []
    # A month row out of step is found, and rebuilt.
    UnitMonth.objects.filter(unit=tree.B1).update(admitted=5)
    assert len(tally.check()) == 2
    call_command("tallies", "--rebuild")
    assert tally.check() == [] and months(tree.B1) == {6: 1, 7: 1}
    # Rows that kept a cell's old place in the tree (its copied path) are found, and rebuilt.
    tree.C1.refresh_from_db()  # its path changed with B1's moves
    assert months(tree.C1) == {6: 1, 7: 1}
    CellTally.objects.filter(cell=tree.C1).update(path=tree.C3.path)
    assert months(tree.C1) == {}
    assert [p for p in tally.check() if p.startswith(f"cell {tree.C1.pk}: ")]
    call_command("tallies", "--rebuild")
    assert tally.check() == [] and months(tree.C1) == {6: 1, 7: 1}


def test_the_dashboard_pipeline_counts_open_referrals(tree, people, known):
    report = build_report(tree.P, PERIODS[0])
    assert report.total.open_referrals == 2  # R3 in training, R4 in training
    make_referral(tree.C2, people.province)
    assert build_report(tree.P, PERIODS[0]).total.open_referrals == 3
