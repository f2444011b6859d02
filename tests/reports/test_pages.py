import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import Target
from tests.reports.conftest import Y

Q = {"period": "year", "year": str(Y)}


def cells_of(html: str, testid: str) -> list[str]:
    row = re.search(rf'<tr data-testid="{testid}">(.*?)</tr>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_the_report_page_shows_vietnamese_numbers_and_dashes(client, people, tree, known):
    client.force_login(people.province)
    response = client.get(reverse("report", args=[tree.P.pk]), Q)
    total = cells_of(response.content.decode(), "total-row")
    assert total == ["", "TỔNG CỘNG", "8", "11", "3", "37,5", "5", "2", "10", "2", "20,0", "5", "1", "20,0", "1", "1"]
    body = response.content.decode()
    assert "Năm 2026" in body
    # Drill-down links to the same report one level lower, with the period kept.
    assert f'href="/units/{tree.D1.pk}/report/?period=year&amp;year={Y}"' in body


def test_a_missing_target_shows_a_dash(client, people, tree, known):
    client.force_login(people.province)
    report = client.get(reverse("report", args=[tree.P.pk]), Q).context["report"]
    d2 = next(r for r in report.rows if r.unit == tree.D2)
    assert d2.figures.union_target is None
    html = client.get(reverse("report", args=[tree.D2.pk]), Q).content.decode()
    assert cells_of(html, "total-row")[8:11] == ["—", "0", "—"]


def test_thousands_are_grouped_with_dots(client, people, tree, known):
    Target.objects.filter(unit=tree.P).update(union=10369)
    client.force_login(people.province)
    html = client.get(reverse("report", args=[tree.P.pk]), Q).content.decode()
    assert cells_of(html, "total-row")[8] == "10.369"


def test_breadcrumbs_lead_back_up_within_the_scope(client, people, tree, known):
    client.force_login(people.district)
    response = client.get(reverse("report", args=[tree.C1.pk]), Q)
    assert [u.code for u in response.context["breadcrumbs"]] == ["D1", "B1", "C1"]


def test_page_dashboard_and_excel_carry_the_same_numbers(client, people, tree, known):
    client.force_login(people.province)
    page = client.get(reverse("report", args=[tree.P.pk]), Q).context["report"]
    dashboard = client.get(reverse("dashboard", args=[tree.P.pk]), {"year": Y}).context["report"]
    ws = load_workbook(io.BytesIO(client.get(reverse("report_xlsx", args=[tree.P.pk]), Q).content)).active
    excel_rows = {
        ws.cell(r, 2).value: [ws.cell(r, c).value for c in range(3, 17)] for r in range(12, 12 + len(page.rows) + 1)
    }
    for row in page.rows + [None]:
        f = row.figures if row else page.total
        label = row.label if row else "TỔNG CỘNG"
        expected = [f.members_start, f.members_now, f.introducers, f.one_plus_one_rate, f.introduced, f.in_training,
                    f.union_target, f.admitted_union, f.union_pct, f.federation_target, f.admitted_federation,
                    f.federation_pct, f.party_introduced, f.party_admitted]  # fmt: skip
        assert excel_rows[label] == ["—" if v is None else pytest.approx(v) for v in expected], label
    assert dashboard.period.start.year == Y
    assert dashboard.total == page.total
    assert [r.figures for r in dashboard.rows] == [r.figures for r in page.rows]


def test_the_dashboard_shows_kpis_progress_and_ranking(
    client, people, tree, known, django_assert_max_num_queries, in_2026
):
    client.force_login(people.province)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("dashboard", args=[tree.P.pk]))
    body = response.content.decode()
    assert response.context["pipeline"] == 2  # R3 and R4
    assert 'id="trend-data"' in body and "chart.umd.js" in body
    ranking = [p["row"].label for p in response.context["ranking"]]
    assert ranking == ["Đoàn phường Ba", "Huyện đoàn Một", "Huyện đoàn Hai"]  # 33,3 % > 25 % > no target
    assert "chậm tiến độ" in body or "đúng tiến độ" in body


def test_the_dashboard_tells_whoever_sets_targets_which_units_below_have_none(client, people, tree, known, in_2026):
    client.force_login(people.province)
    url = reverse("dashboard", args=[tree.P.pk])
    body = client.get(url).content.decode()
    assert "1 đơn vị trực thuộc chưa được giao chỉ tiêu kết nạp năm 2026:" in body
    assert "Huyện đoàn Hai." in body and f'href="{reverse("targets", args=[tree.P.pk])}?year=2026"' in body
    Target.objects.create(unit=tree.B2, year=Y, union=2)  # set below D2: D2's target is the sum of those below
    assert 'data-testid="without-target"' not in client.get(url).content.decode()
    client.force_login(people.secretary)  # sets no targets
    assert 'data-testid="without-target"' not in client.get(reverse("dashboard", args=[tree.C1.pk])).content.decode()


def test_the_dashboard_counts_the_units_below_where_members_introduce_and_names_the_others(
    client, people, tree, known, in_2026
):
    from datetime import date

    from tests.factories import make_referral, make_unit

    client.force_login(people.province)
    body = client.get(reverse("dashboard", args=[tree.P.pk])).content.decode()
    assert "2/3 đơn vị trực thuộc có đoàn viên giới thiệu" in body
    # In Đoàn phường Ba only a Federation branch introduced someone: no member has yet.
    assert "1 đơn vị trực thuộc chưa có đoàn viên nào giới thiệu thanh niên trong năm 2026:" in body
    assert f'<a href="{reverse("dashboard", args=[tree.B3.pk])}">Đoàn phường Ba</a>.' in body
    client.force_login(people.officer)
    url = reverse("dashboard", args=[tree.B1.pk])
    make_unit(parent=tree.B1, name="Chi đoàn Mới")  # no members yet: not counted either way
    body = client.get(url).content.decode()
    assert "1/2 đơn vị trực thuộc có đoàn viên giới thiệu" in body and ">Chi đoàn Hai</a>." in body
    assert "Chi đoàn Mới" not in body.split('data-testid="idle-units"')[1].split("</div>")[0]
    introducer = tree.C2.members.first()
    make_referral(tree.C2, people.officer, introducer=introducer, introduced_on=date(Y, 11, 2))
    body = client.get(url).content.decode()
    assert "2/2 đơn vị trực thuộc có đoàn viên giới thiệu" in body and 'data-testid="idle-units"' not in body
    client.force_login(people.secretary)  # a cell's dashboard lists members, not units
    body = client.get(reverse("dashboard", args=[tree.C1.pk])).content.decode()
    assert 'data-testid="kpi-running"' not in body and 'data-testid="idle-units"' not in body


def test_the_dashboard_names_ten_idle_units_and_counts_the_rest(client, people, tree, in_2026):
    from datetime import date

    from tests.factories import make_member, make_unit
    from unionapp.models import Unit

    for n in range(13):
        make_member(make_unit(parent=tree.B2, name=f"Chi đoàn {n + 10}"), joined_on=date(2020, 3, 26))
    Unit.objects.filter(name="Chi đoàn 22").update(is_active=False)  # closed: neither counted nor named
    client.force_login(people.province)
    body = client.get(reverse("dashboard", args=[tree.B2.pk])).content.decode()
    notice = body.split('data-testid="idle-units"')[1].split("</div>")[0]
    assert "12 đơn vị trực thuộc chưa có đoàn viên nào giới thiệu" in notice
    assert notice.count("<a ") == 10 and "và 2 đơn vị khác." in notice
    assert "0/12 đơn vị trực thuộc có đoàn viên giới thiệu" in body


def test_a_base_unions_dashboard_points_its_approvers_to_the_candidates_waiting(client, people, tree):
    from tests.factories import reviewed_referral

    client.force_login(people.officer)
    url = reverse("dashboard", args=[tree.B1.pk])
    assert 'data-testid="awaiting-approval"' not in client.get(url).content.decode()
    reviewed_referral(tree.C1, people.secretary)
    page = client.get(url).content.decode()
    assert 'data-testid="awaiting-approval"' in page and "1 hồ sơ chờ chuẩn y" in page
    assert reverse("pipeline_board", args=[tree.B1.pk]) in page
    reviewed_referral(tree.C2, people.secretary)
    page = client.get(url).content.decode()
    assert "2 hồ sơ chờ chuẩn y" in page and reverse("pipeline_many", args=[tree.B1.pk, "admit"]) in page
    client.force_login(people.secretary)  # a cell's dashboard, and no approval right
    assert 'data-testid="awaiting-approval"' not in client.get(reverse("dashboard", args=[tree.C1.pk])).content.decode()


def test_the_dashboard_chart_leaves_the_months_to_come_blank(client, people, tree, known, monkeypatch):
    from datetime import date

    from reports import views

    monkeypatch.setattr(views.timezone, "localdate", lambda: date(Y, 6, 30))
    client.force_login(people.province)
    response = client.get(reverse("dashboard", args=[tree.P.pk]))
    assert 'data-testid="year-ended"' not in response.content.decode()  # only in January
    chart = response.context["chart"]
    # R5 admitted 01/02 and R1 30/06 (R2 on 01/07 is still to come on that day); July on: not drawn.
    assert chart["this_year"] == [0, 1, 0, 0, 0, 1] + [None] * 6
    assert chart["last_year"] == [0] * 12


def test_in_january_the_dashboard_still_shows_last_year_as_it_ended(client, people, tree, known, monkeypatch):
    """The office reads last year's standing at the year-end rush: ``?year=`` gives it, against the whole
    target, its chart complete, its links (report, units below, breadcrumbs) in the same year."""
    from datetime import date

    from reports import views

    Target.objects.filter(unit=tree.B3, year=Y).update(union=1)  # its one admission now fulfils its target
    monkeypatch.setattr(views.timezone, "localdate", lambda: date(Y + 1, 1, 10))
    client.force_login(people.province)
    url = reverse("dashboard", args=[tree.P.pk])
    this_year = client.get(url)
    assert this_year.context["year"] == Y + 1 and this_year.context["report"].total.admitted_union == 0
    assert f'<option value="{Y}">{Y}</option>' in this_year.content.decode()  # offered in the picker
    # Nothing set for the new year yet: the office is told, with the page that sets it.
    assert [r.label for r in this_year.context["without_target"]] == [
        "Đoàn phường Ba",
        "Huyện đoàn Hai",
        "Huyện đoàn Một",
    ]
    assert f"{reverse('targets', args=[tree.P.pk])}?year={Y + 1}" in this_year.content.decode()
    # Opened on the new year, the dashboard and the report point to the year that has ended.
    ended = f'<a class="alert-link" href="?year={Y}">Xem kết quả cả năm {Y}</a>'
    assert f"Năm {Y} đã kết thúc." in this_year.content.decode() and ended in this_year.content.decode()
    report = client.get(reverse("report", args=[tree.P.pk])).content.decode()
    assert f'<a class="alert-link" href="?period=year&amp;year={Y}">Xem kết quả cả năm {Y}</a>' in report
    chosen = client.get(reverse("report", args=[tree.P.pk]), {"period": "year", "year": Y + 1}).content.decode()
    assert 'data-testid="year-ended"' not in chosen  # a year chosen is the one wanted

    response = client.get(url, {"year": Y})
    body = response.content.decode()
    assert f"Năm {Y} — năm đã kết thúc" in body and "thời gian trong năm" not in body
    assert response.context["expected"] == 100
    assert response.context["report"].total.admitted_union == 2
    badges = {p["row"].label: p["on_track"] for p in response.context["progress"]}
    assert badges == {"Đoàn phường Ba": True, "Huyện đoàn Một": False, "Huyện đoàn Hai": False}
    assert "đạt chỉ tiêu" in body and "không đạt chỉ tiêu" in body and "tiến độ</span>" not in body
    assert "Vạch đen: chỉ tiêu cả năm." in body
    assert 'data-testid="without-target"' not in body  # a year gone by is not for setting targets
    assert 'data-testid="year-ended"' not in body
    assert response.context["chart"]["this_year"] == [0, 1, 0, 0, 0, 1, 1] + [0] * 5  # every month drawn (R2 in July)
    assert f'href="{reverse("report", args=[tree.P.pk])}?period=year&amp;year={Y}"' in body
    assert f'href="{reverse("dashboard", args=[tree.D1.pk])}?year={Y}"' in body
    assert f'href="{reverse("targets", args=[tree.P.pk])}?year={Y}"' in body

    client.force_login(people.district)
    below = client.get(reverse("dashboard", args=[tree.B1.pk]), {"year": Y}).content.decode()
    assert f'href="{reverse("dashboard", args=[tree.D1.pk])}?year={Y}"' in below  # the breadcrumb back up
    # A year not offered (too far back, or not a year) is this year.
    for asked in (str(Y - 5), "2026abc", ""):
        assert client.get(url.replace(str(tree.P.pk), str(tree.D1.pk)), {"year": asked}).context["year"] == Y + 1


def test_the_report_query_count_is_pinned(client, people, tree, known, django_assert_num_queries):
    client.force_login(people.province)
    # session, user with their roles, unit; the report: children, summary rows, targets (and, as D2 has none
    # of its own, those set below it); no breadcrumbs query (the unit of the role; no session save)
    with django_assert_num_queries(7):
        client.get(reverse("report", args=[tree.P.pk]), Q)


@pytest.mark.parametrize("name", ["report", "report_xlsx", "dashboard", "targets"])
def test_report_pages_are_404_outside_the_scope(client, people, tree, known, name):
    client.force_login(people.district)
    for query in ({}, {"year": Y - 1}):
        assert client.get(reverse(name, args=[tree.D2.pk]), query).status_code == 404
        assert client.get(reverse(name, args=[tree.B3.pk]), query).status_code == 404
        assert client.get(reverse(name, args=[tree.P.pk]), query).status_code == 404


def test_a_secretary_sees_the_cell_report_but_cannot_export_or_set_targets(client, people, tree, known):
    client.force_login(people.secretary)
    assert client.get(reverse("report", args=[tree.C1.pk])).status_code == 200
    assert client.get(reverse("report_xlsx", args=[tree.C1.pk])).status_code == 403
    assert client.get(reverse("targets", args=[tree.C1.pk])).status_code == 403


def test_the_excel_file_name_carries_the_unit_and_period(client, people, tree, known):
    client.force_login(people.province)
    response = client.get(reverse("report_xlsx", args=[tree.D1.pk]), {"period": "q3", "year": str(Y)})
    assert response["Content-Disposition"] == f'attachment; filename="bao-cao-1+1-D1-{Y}-q3.xlsx"'
