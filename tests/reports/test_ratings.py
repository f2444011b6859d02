"""The year-end review in figures: members rated at each of the four levels, per unit, rolled up the tree."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from members import services
from tests.factories import make_member

LAST_YEAR = timezone.localdate().year - 1


@pytest.fixture
def rated(people, tree):
    def rate(cell, year, *levels):
        members = [make_member(cell) for _ in levels]
        services.rate_cell(
            ratings={m.pk: lv for m, lv in zip(members, levels, strict=True)}, year=year, by=people.admin
        )

    rate(tree.C1, LAST_YEAR, "excellent", "excellent", "good")
    rate(tree.C2, LAST_YEAR, "failed")
    rate(tree.C3, LAST_YEAR, "done")  # under D2
    rate(tree.C1, LAST_YEAR + 1, "good")  # this year's review: another year


def table(html):
    """The table's rows as lists of cell texts (links and markup dropped)."""
    body = re.search(r'data-testid="ratings-table">(.*?)</table>', html, re.S)[1]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.split("</thead>")[1], re.S)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows]


def test_the_province_sees_last_years_review_per_district(client, people, tree, rated):
    client.force_login(people.province)
    html = client.get(reverse("rating_report", args=[tree.P.pk])).content.decode()
    assert f"Kết quả đánh giá, xếp loại đoàn viên năm {LAST_YEAR}" in html  # last year's unless asked
    assert table(html) == [
        ["Đoàn phường Ba", "0", "0", "—", "0", "—", "0", "—", "0", "—"],
        ["Huyện đoàn Hai", "1", "0", "0,0", "0", "0,0", "1", "100,0", "0", "0,0"],
        ["Huyện đoàn Một", "4", "2", "50,0", "1", "25,0", "0", "0,0", "1", "25,0"],
        ["TỔNG CỘNG", "5", "2", "40,0", "1", "20,0", "1", "20,0", "1", "20,0"],
    ]
    this_year = client.get(reverse("rating_report", args=[tree.P.pk]), {"year": LAST_YEAR + 1}).content.decode()
    assert table(this_year)[-1][:4] == ["TỔNG CỘNG", "1", "0", "0,0"]
    # Each unit leads to its own figures, for the same year.
    assert f'href="{reverse("rating_report", args=[tree.D1.pk])}?year={LAST_YEAR}"' in html


def test_a_base_union_sees_its_cells_and_a_cell_itself(client, people, tree, rated):
    client.force_login(people.officer)
    html = client.get(reverse("rating_report", args=[tree.B1.pk])).content.decode()
    assert [row[:3] for row in table(html)] == [
        ["Chi đoàn Hai", "1", "0"],
        ["Chi đoàn Một", "3", "2"],
        ["TỔNG CỘNG", "4", "2"],
    ]
    assert client.get(reverse("rating_report", args=[tree.B2.pk])).status_code == 404  # another base union
    client.force_login(people.secretary)
    html = client.get(reverse("rating_report", args=[tree.C1.pk])).content.decode()
    assert table(html) == [["Chi đoàn Một", "3", "2", "66,7", "1", "33,3", "0", "0,0", "0", "0,0"]]
    assert f'href="{reverse("cell_rating", args=[tree.C1.pk])}?year={LAST_YEAR}"' in html  # where they are entered
    assert client.get(reverse("rating_report", args=[tree.C2.pk])).status_code == 404


def test_a_years_results_stay_with_the_cell_that_rated_even_after_the_member_moves(client, people, tree, rated):
    from members.models import YearRating

    moved = YearRating.objects.get(cell=tree.C2, year=LAST_YEAR).member
    services.move_member(member=moved, to_cell=tree.C4, on=timezone.localdate(), reason="x", by=people.admin)
    client.force_login(people.province)
    html = client.get(reverse("rating_report", args=[tree.P.pk])).content.decode()
    assert [row[:2] for row in table(html)] == [
        ["Đoàn phường Ba", "0"], ["Huyện đoàn Hai", "1"], ["Huyện đoàn Một", "4"], ["TỔNG CỘNG", "5"],
    ]  # fmt: skip
    # Rated again next year, the new cell's rating is recorded against the new cell.
    services.rate_cell(ratings={moved.pk: "good"}, year=LAST_YEAR + 1, by=people.admin)
    assert YearRating.objects.get(member=moved, year=LAST_YEAR + 1).cell == tree.C4


def test_the_review_costs_the_same_queries_however_many_units(client, people, tree, rated, django_assert_num_queries):
    client.force_login(people.province)
    # session, user with roles, unit, children, ratings by cell
    with django_assert_num_queries(5):
        client.get(reverse("rating_report", args=[tree.P.pk]))
    dashboard = client.get(reverse("dashboard", args=[tree.P.pk])).content.decode()
    assert f'href="{reverse("rating_report", args=[tree.P.pk])}">Kết quả xếp loại đoàn viên</a>' in dashboard


def test_the_review_downloads_as_a_union_document(client, people, tree, rated):
    import io

    from openpyxl import load_workbook

    from unionapp import audit

    client.force_login(people.district)
    client.cookies["django_language"] = "en"  # a Union document is in Vietnamese all the same
    html = client.get(reverse("rating_report", args=[tree.D1.pk])).content.decode()
    url = f"{reverse('rating_report_xlsx', args=[tree.D1.pk])}?year={LAST_YEAR}"
    assert f'href="{url}" data-testid="export">Download Excel</a>' in html
    response = client.get(url)
    assert f'filename="xep-loai-doan-vien-D1-{LAST_YEAR}.xlsx"' in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    assert (ws["A2"].value, ws["F1"].value) == ("BCH ĐOÀN HUYỆN MỘT", "ĐOÀN TNCS HỒ CHÍ MINH")
    assert ws["A6"].value == f"BÁO CÁO KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐOÀN VIÊN NĂM {LAST_YEAR}"
    assert [ws.cell(9, c).value for c in (1, 2, 3, 4, 6, 8, 10)] == [
        "STT", "Đơn vị", "Số đoàn viên được xếp loại", "Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ",
        "Hoàn thành nhiệm vụ", "Không hoàn thành nhiệm vụ",
    ]  # fmt: skip
    rows = [[ws.cell(r, c).value for c in range(1, 12)] for r in (11, 12)]
    assert rows == [
        [1, "Đoàn xã Một", 4, 2, 50.0, 1, 25.0, 0, 0.0, 1, 25.0],
        [None, "TỔNG CỘNG", 4, 2, 50.0, 1, 25.0, 0, 0.0, 1, 25.0],
    ]
    assert ws["E11"].number_format == "[$-42A]0.0" and ws["C11"].number_format == "[$-42A]#,##0"
    assert audit.for_object(tree.D1).filter(action=audit.Action.EXPORT).count() == 1
    client.force_login(people.secretary)  # a cell's secretary reads the figures but exports nothing
    assert client.get(reverse("rating_report_xlsx", args=[tree.C1.pk])).status_code == 403
    client.force_login(people.officer)
    assert client.get(reverse("rating_report_xlsx", args=[tree.B2.pk])).status_code == 404
