from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import Rating, Status, YearRating
from tests.factories import make_member


def names(response):
    return [m.full_name for m in response.context["page"].object_list]


def test_the_list_shows_only_the_scope(client, people, tree, members):
    client.force_login(people.officer)
    response = client.get(reverse("member_list"))
    assert set(names(response)) == {m.full_name for m in members[tree.C1] + members[tree.C2]}
    assert response.context["page"].paginator.count == 4


def test_a_unit_outside_the_scope_is_not_a_valid_filter(client, people, tree, members):
    client.force_login(people.officer)
    response = client.get(reverse("member_list"), {"unit": tree.C3.pk})
    assert names(response) == []
    assert "unit" in response.context["filter"].form.errors


def test_the_unit_picker_offers_the_scope_only_indented_with_the_choice_kept(client, people, tree, members):
    import re

    from tests.factories import make_unit
    from unionapp.models import Kind

    odd = make_unit(Kind.CELL, tree.B1, name="Chi đoàn <Ba> & Bốn", code="C9")
    client.force_login(people.district)
    html = client.get(reverse("member_list"), {"unit": tree.C2.pk}).content.decode()
    picker = re.search(r'<select name="unit"[^>]*>(.*?)</select>', html, re.S).group(1)
    options = re.findall(r'<option value="(\d*)"( selected)?>([^<]*)</option>', picker)
    # The district's units in tree order, indented by depth below the district, the chosen one selected, names escaped;
    # nothing from the other district (C3) or above the scope (P).
    assert sorted(options) == sorted(
        [
            ("", "", "Tất cả đơn vị trong phạm vi"),
            (str(tree.D1.pk), "", "Huyện đoàn Một"),  # the top of their list, at the margin
            (str(tree.B1.pk), "", "— Đoàn xã Một"),
            (str(tree.C1.pk), "", "— — Chi đoàn Một"),
            (str(tree.C2.pk), " selected", "— — Chi đoàn Hai"),
            (str(odd.pk), "", "— — Chi đoàn &lt;Ba&gt; &amp; Bốn"),
        ]
    )
    assert [label for _v, _s, label in options][:3] == [
        "Tất cả đơn vị trong phạm vi",
        "Huyện đoàn Một",
        "— Đoàn xã Một",
    ]


def test_filters_combine(client, people, tree):
    a = make_member(tree.C1, full_name="Đỗ Thị Hoa", gender="F", date_of_birth=date(2001, 2, 3))
    make_member(tree.C1, full_name="Đỗ Văn Hòa", gender="M", date_of_birth=date(2001, 2, 3))
    make_member(tree.C2, full_name="Đỗ Thị Hoa Hai", gender="F", date_of_birth=date(1999, 2, 3))
    gone = make_member(
        tree.C1, full_name="Đỗ Thị Hoài", gender="F", status=Status.MATURED, date_of_birth=date(2001, 1, 1)
    )
    YearRating.objects.create(member=a, cell=a.cell, year=timezone.localdate().year - 1, rating=Rating.EXCELLENT)
    client.force_login(people.officer)
    url = reverse("member_list")
    assert names(client.get(url, {"q": "do thi hoa", "gender": "F", "birth_year": 2001, "status": Status.ACTIVE})) == [
        "Đỗ Thị Hoa"
    ]
    assert names(client.get(url, {"q": "do", "unit": tree.C2.pk})) == ["Đỗ Thị Hoa Hai"]
    assert names(client.get(url, {"rating": Rating.EXCELLENT})) == ["Đỗ Thị Hoa"]
    assert names(client.get(url, {"status": Status.MATURED})) == [gone.full_name]


@pytest.mark.parametrize("typed", ["-1", "20055", "2005.5", "năm"])
@pytest.mark.parametrize(("url", "field"), [("member_list", "birth_year"), ("referral_list", "year")])
def test_a_mistyped_year_in_a_filter_is_told_on_the_list(client, people, tree, url, field, typed):
    """A year the calendar cannot hold ("-1" typed for "1") used to raise an error page."""
    make_member(tree.C1, full_name="Đỗ Thị Hoa")
    client.force_login(people.secretary)
    response = client.get(reverse(url), {field: typed})
    assert response.status_code == 200
    assert "Hãy gõ năm bằng bốn chữ số, ví dụ 2005." in response.content.decode()


def test_party_filter(client, people, tree):
    make_member(
        tree.C1, full_name="Vi Văn Đảng", party_introduced_on=date(2025, 1, 1), party_admitted_on=date(2025, 9, 1)
    )
    make_member(tree.C1, full_name="Vi Văn Ưu", party_introduced_on=date(2025, 1, 1))
    make_member(tree.C1, full_name="Vi Văn Chưa")
    client.force_login(people.secretary)
    url = reverse("member_list")
    assert names(client.get(url, {"party": "admitted"})) == ["Vi Văn Đảng"]
    assert names(client.get(url, {"party": "introduced"})) == ["Vi Văn Ưu"]


def test_the_list_query_count_does_not_grow_with_rows(client, people, tree, django_assert_max_num_queries):
    client.force_login(people.province)
    for _ in range(3):
        make_member(tree.C1)
    # session, user, assignments, units for the filter, count, page (no session save: minutes old)
    with django_assert_max_num_queries(7) as small:
        client.get(reverse("member_list"), {"q": "nguyen"})
    for _ in range(60):
        make_member(tree.C3)
    with django_assert_max_num_queries(len(small)):
        response = client.get(reverse("member_list"), {"q": "nguyen"})
    assert response.context["page"].paginator.count == 63


def test_an_empty_list_says_what_to_do(client, people, tree):
    client.force_login(people.secretary)
    assert "Chưa có đoàn viên nào — thêm mới hoặc nhập từ Excel." in client.get(reverse("member_list")).content.decode()


def test_a_unit_filter_narrows_the_scope_in_one_list_of_cells(client, people, tree, members):
    # Two IN lists on the member's cell make PostgreSQL misjudge the rows and scan the whole register
    # (a district search went from 10 to 26 ms at province scale): the unit and the scope are one list.
    client.force_login(people.officer)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("member_list"), {"unit": tree.C2.pk, "q": ""})
    assert set(names(response)) == {m.full_name for m in members[tree.C2]}
    member_queries = [q["sql"] for q in ctx.captured_queries if 'FROM "members_member"' in q["sql"]]
    assert member_queries and all(q.count('"cell_id" IN') == 1 for q in member_queries)


@pytest.mark.parametrize(
    ("url", "query", "set_"),
    [
        ("member_list", {}, 0),
        ("member_list", {"q": "hoa", "unit": "1"}, 0),  # the unit is shown with the search
        ("member_list", {"q": "hoa", "status": "away", "birth_year": "2001"}, 2),
        ("member_list", {"birth_year": "năm"}, 1),  # wrong: open, so that its message shows
        ("referral_list", {"q": "hoa", "stage": ""}, 0),
        ("referral_list", {"joins": "union"}, 1),
    ],
)
def test_on_a_phone_the_filters_past_search_and_unit_are_folded_unless_one_is_set(client, people, url, query, set_):
    import re

    client.force_login(people.secretary)
    html = client.get(reverse(url), query).content.decode()
    folded = re.search(r'<div class="collapse d-md-block( show)?" id="more-filters">', html)
    toggle = re.search(r'data-testid="more-filters-toggle">([^<]*)</button>', html).group(1)
    assert (folded.group(1) == " show") == bool(set_)
    assert toggle == ("Lọc thêm" + (f" ({set_})" if set_ else ""))


def test_pickers_list_units_alphabetically_under_each_parent_whatever_their_ids(client, people, tree):
    """Paths order units by their ids as text ("/1/10/" before "/1/9/"); people look for names in alphabetical
    order, the Vietnamese one (Ấ before B, Đ after D), under each parent."""
    import re

    from tests.factories import make_unit
    from unionapp.models import Kind

    make_unit(Kind.CELL, tree.B1, name="Chi đoàn Bản", code="C8")
    make_unit(Kind.CELL, tree.B1, name="Chi đoàn Ấp Bắc", code="C9")  # after "Bản" bytewise, before it in Vietnamese

    def options(html, name):
        picker = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
        return [label for label in re.findall(r"<option [^>]*>([^<]*)</option>", picker) if label.strip("- ")]

    client.force_login(people.province)
    assert options(client.get(reverse("member_list")).content.decode(), "unit")[1:] == [
        "Tỉnh đoàn Thử",
        "— Đoàn phường Ba",
        "— — Chi đoàn Bốn",
        "— Huyện đoàn Hai",
        "— — Đoàn xã Hai",
        "— — — Chi đoàn Ba",
        "— Huyện đoàn Một",
        "— — Đoàn xã Một",
        "— — — Chi đoàn Ấp Bắc",
        "— — — Chi đoàn Bản",
        "— — — Chi đoàn Hai",
        "— — — Chi đoàn Một",
    ]
    client.force_login(people.officer)
    assert options(client.get(reverse("member_create")).content.decode(), "cell") == [
        "Chi đoàn Ấp Bắc (C9)",
        "Chi đoàn Bản (C8)",
        "Chi đoàn Hai (C2)",
        "Chi đoàn Một (C1)",
    ]
