from datetime import date

import pytest

from reports.periods import Period, period_from, year_period
from reports.rollup import build_report, target_of
from tests.factories import make_member, make_unit
from tests.reports.conftest import Y
from unionapp.models import Kind

YEAR = year_period(Y)
FIELDS = ["members_start", "members_now", "introducers", "introduced", "in_training", "admitted_union",
          "union_target", "admitted_federation", "federation_target", "party_introduced", "party_admitted"]  # fmt: skip


def figures(f):
    return [getattr(f, name) for name in FIELDS]


def rows(report):
    return {r.label: figures(r.figures) for r in report.rows}


def test_the_province_report_has_every_column_right(tree, known):
    report = build_report(tree.P, YEAR)
    assert rows(report) == {
        #                        start now 1+1 intro train adm.U targ adm.F targ party
        "Huyện đoàn Một": [5, 6, 2, 3, 1, 1, 4, 1, 2, 1, 1],
        "Huyện đoàn Hai": [1, 1, 1, 1, 1, 0, None, 0, None, 0, 0],
        "Đoàn phường Ba": [2, 4, 0, 1, 0, 1, 3, 0, None, 0, 0],
    }
    assert figures(report.total) == [8, 11, 3, 5, 2, 2, 10, 1, 5, 1, 1]
    assert report.total.one_plus_one_rate == 37.5
    assert report.total.union_pct == 20.0
    assert [r.label for r in report.rows] == ["Đoàn phường Ba", "Huyện đoàn Hai", "Huyện đoàn Một"]  # Đ after D
    d1 = report.rows[2].figures
    assert (d1.union_pct, d1.federation_pct) == (25.0, 50.0)  # federation: no own target, B1's 2 counts
    assert report.rows[1].figures.union_pct is None  # D2: no target anywhere: "—", not 0 %


def test_each_total_equals_the_parents_row_one_level_up(tree, known):
    province = {r.unit.pk: r.figures for r in build_report(tree.P, YEAR).rows}
    for unit in (tree.D1, tree.D2, tree.B3):
        assert figures(build_report(unit, YEAR).total) == figures(province[unit.pk])
    district = {r.unit.pk: r.figures for r in build_report(tree.D1, YEAR).rows}
    assert figures(build_report(tree.B1, YEAR).total) == figures(district[tree.B1.pk])
    base = {r.unit.pk: r.figures for r in build_report(tree.B1, YEAR).rows}
    assert figures(build_report(tree.C1, YEAR).total) == figures(base[tree.C1.pk])


def test_a_cells_report_has_one_row_per_member(tree, known):
    report = build_report(tree.C1, YEAR)
    by_name = rows(report)
    new_member = known.r1.member.full_name  # admitted on 30/06: in the cell now, not at the start
    assert set(by_name) == {"Âu Văn Một", "Bế Văn Hai", "Cù Thị Ba", new_member}
    assert by_name[new_member] == [0, 1, 0, 0, 0, 0, None, 0, None, 0, 0]
    assert by_name["Âu Văn Một"] == [1, 1, 1, 2, 0, 1, None, 1, None, 0, 0]
    assert by_name["Bế Văn Hai"] == [1, 1, 1, 1, 1, 0, None, 0, None, 0, 0]
    assert by_name["Cù Thị Ba"] == [1, 1, 0, 0, 0, 0, None, 0, None, 1, 1]
    assert figures(report.total) == [3, 4, 2, 3, 1, 1, 2, 1, None, 1, 1]
    summed = [sum(r.figures.__dict__[f] for r in report.rows) for f in FIELDS if not f.endswith("target")]
    assert summed == [v for f, v in zip(FIELDS, figures(report.total), strict=True) if not f.endswith("target")]


def test_collective_referrals_appear_in_a_row_of_their_own_at_cell_level(tree, known):
    report = build_report(tree.C4, YEAR)
    other = report.rows[-1]
    assert other.member_id is None and other.figures.admitted_union == 1 and other.figures.introduced == 1


@pytest.mark.parametrize(
    ("period", "union", "federation"),
    [
        (Period(date(Y, 1, 1), date(Y, 6, 30), "h1"), 2, 0),  # R1 on 30/06 counts in the first half
        (Period(date(Y, 7, 1), date(Y, 9, 30), "q3"), 0, 1),  # R2 on 01/07 in the third quarter
        (Period(date(Y, 6, 30), date(Y, 7, 1), "range"), 1, 1),
        (Period(date(Y, 2, 2), date(Y, 6, 29), "range"), 0, 0),
    ],
)
def test_admissions_count_in_the_period_of_their_decision(tree, known, period, union, federation):
    total = build_report(tree.P, period).total
    assert (total.admitted_union, total.admitted_federation) == (union, federation)


def test_a_unit_moved_between_parents_takes_its_figures_along(tree, known):
    tree.B1.move_to(tree.D2)
    report = build_report(tree.P, YEAR)
    by_name = rows(report)
    assert by_name["Huyện đoàn Một"][:6] == [0, 0, 0, 0, 0, 0]
    assert by_name["Huyện đoàn Hai"][:6] == [6, 7, 3, 4, 2, 1]
    assert figures(report.total) == [8, 11, 3, 5, 2, 2, 10, 1, 5, 1, 1]


def test_the_number_of_queries_does_not_grow_with_the_tree(tree, known, django_assert_num_queries):
    # children, the summary rows, targets, those set below a child without one (D2) (a free date range:
    # and introducers from the register)
    with django_assert_num_queries(4):
        build_report(tree.P, YEAR)
    with django_assert_num_queries(5):
        build_report(tree.P, Period(date(Y, 2, 3), date(Y, 8, 9), "range"))
    for i in range(5):
        base = make_unit(Kind.BASE, tree.D2, name=f"Đoàn xã Thêm {i}")
        for j in range(3):
            cell = make_unit(Kind.CELL, base, name=f"Chi đoàn Thêm {i}.{j}")
            for _ in range(4):
                make_member(cell, joined_on=date(2020, 1, 1))
    with django_assert_num_queries(4):
        report = build_report(tree.P, YEAR)
    assert report.total.members_start == 8 + 60


def test_periods_are_read_from_the_query_string():
    assert period_from({"period": "q3", "year": "2026"}) == Period(date(2026, 7, 1), date(2026, 9, 30), "q3")
    assert period_from({"period": "q3", "year": "2026"}).label == "Quý III năm 2026"
    assert period_from({"period": "h1", "year": "2025"}).label == "6 tháng đầu năm 2025"
    r = period_from({"period": "range", "start": "01/03/2026", "end": "15/09/2026"})
    assert r.label == "Từ ngày 01/03/2026 đến ngày 15/09/2026"
    assert period_from({"period": "range", "start": "15/09/2026", "end": "01/03/2026"}).kind == "year"
    assert period_from({"year": "abc"}).kind == "year"


def test_a_unit_without_a_target_takes_the_nearest_ones_set_below_it():
    own = {
        "/1/": [None, 5, None],
        "/1/2/": [None, None, None],  # a district with no target: its bases count
        "/1/2/3/": [4, None, None],
        "/1/2/3/7/": [9, 1, None],  # under a base with a union target: not counted again
        "/1/2/4/": [2, None, None],
        "/1/20/": [3, 1, None],  # "/1/20/" is not under "/1/2/"
    }
    assert target_of(own, "/1/") == (9, 5, None)
    assert target_of(own, "/1/2/") == (6, 1, None)
    assert target_of(own, "/1/20/") == (3, 1, None)
    assert target_of(own, "/1/9/") == (None, None, None)


def test_the_dashboard_chart_counts_admissions_per_month_under_the_unit(tree, known, people):
    from reports.rollup import monthly_admissions
    from tests.factories import make_referral
    from tests.reports.conftest import walk_to_admission

    # An admission in another province, the same month, stays out of this one's chart.
    other = make_unit(Kind.CELL, make_unit(Kind.BASE, make_unit(Kind.PROVINCE, name="Tỉnh đoàn Khác")))
    walk_to_admission(
        make_referral(other, people.province, introduced_on=date(Y, 1, 5)), people.province, date(Y, 2, 10)
    )

    def months(unit):
        series = monthly_admissions(unit, Y)
        return {m + 1: n for m, n in enumerate(series[Y]) if n}, sum(series[Y - 1])

    assert months(tree.P) == ({2: 1, 6: 1, 7: 1}, 0)  # R5 (01/02), R1 (30/06), R2 (01/07, federation)
    assert months(tree.D1) == ({6: 1, 7: 1}, 0)
    assert months(tree.B3) == ({2: 1}, 0)
    assert months(tree.C2) == ({}, 0)
