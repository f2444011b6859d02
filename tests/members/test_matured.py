"""Trưởng thành Đoàn: a cell's members past 30 are pointed out and recorded as matured out on one date."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from members import services
from members.models import MAX_AGE, Member, Status, StatusEvent, age_on, birthday, born_by_for_age
from reports import tally
from tests.factories import make_member


@given(born=st.dates(min_value=date(1900, 1, 1)), day=st.dates(min_value=date(1990, 1, 1)), years=st.integers(0, 60))
def test_the_birth_date_bound_agrees_with_the_age(born, day, years):
    if day.year - years < 1:
        return
    assert (age_on(born, day) >= years) == (born <= born_by_for_age(day, years))


@given(born=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)), years=st.integers(1, 60))
def test_a_birthday_is_the_first_day_of_the_age(born, years):
    day = birthday(born, years)
    assert age_on(born, day) == years and age_on(born, day - timedelta(days=1)) == years - 1


def years_ago(years, days=0):
    today = timezone.localdate()
    return born_by_for_age(today, years) + timedelta(days=days)


@pytest.fixture
def cell(tree):
    """In C1: two members past 30, one who turns 31 tomorrow, one past 30 already removed, one young."""
    c = tree.C1
    c.old = make_member(c, full_name="Nông Văn Lớn", date_of_birth=years_ago(MAX_AGE + 1))  # 31 today
    c.older = make_member(c, full_name="Hoàng Thị Già", date_of_birth=date(1990, 5, 5), status=Status.AWAY)
    c.almost = make_member(c, full_name="Lý Văn Sắp", date_of_birth=years_ago(MAX_AGE + 1, days=1))
    c.gone = make_member(c, full_name="Đã Xóa Tên", date_of_birth=date(1985, 1, 1), status=Status.REMOVED)
    c.young = make_member(c, full_name="Trẻ Tuổi", date_of_birth=date(2005, 1, 1))
    return c


def matured_url(unit):
    return reverse("cell_matured", args=[unit.pk])


def test_the_cell_page_says_how_many_are_past_30_to_whoever_keeps_the_register(client, people, cell):
    client.force_login(people.secretary)
    page = client.get(reverse("unit_detail", args=[cell.pk])).content.decode()
    assert "2 đoàn viên đã quá 30 tuổi." in page and matured_url(cell) in page
    client.force_login(people.district)  # sees the cell, does not keep registers
    assert matured_url(cell) not in client.get(reverse("unit_detail", args=[cell.pk])).content.decode()


def test_the_page_lists_the_counted_members_past_30(client, people, cell, django_assert_max_num_queries):
    client.force_login(people.secretary)
    with django_assert_max_num_queries(10):
        response = client.get(matured_url(cell))
    assert [row["title"] for row in response.context["rows"]] == ["Hoàng Thị Già", "Nông Văn Lớn"]  # register order
    page = response.content.decode()
    assert "31 tuổi" in page and "Trưởng thành Đoàn (quá 30 tuổi)" in page


def test_the_ticked_members_mature_out_on_one_date(client, people, cell):
    client.force_login(people.secretary)
    data = {"members": [cell.old.pk, cell.older.pk], "date": "26/03/2026", "reason": "Trưởng thành Đoàn năm 2026"}
    response = client.post(matured_url(cell), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("unit_detail", args=[cell.pk])
    assert "Đã ghi nhận 2 đoàn viên trưởng thành Đoàn." in response.content.decode()
    for member in (cell.old, cell.older):
        member.refresh_from_db()
        assert (member.status, member.left_on) == (Status.MATURED, date(2026, 3, 26))
        event = StatusEvent.objects.get(member=member, to_status=Status.MATURED)
        assert (event.date, event.reason, event.recorded_by) == (date(2026, 3, 26), data["reason"], people.secretary)
    assert Member.objects.get(pk=cell.almost.pk).status == Status.ACTIVE
    assert tally.check() == []  # the reports stop counting them from that day
    assert response.context["member_total"] == 2  # the cell's counted members now: "almost" and "young"
    assert "đã quá 30 tuổi" not in response.content.decode()


def test_a_member_no_longer_listed_is_refused_and_nothing_is_written(client, people, cell):
    client.force_login(people.secretary)
    page = client.get(matured_url(cell))
    assert page.status_code == 200
    # Meanwhile the base union records one of them as matured out: no longer on the list.
    services.change_status(
        member=cell.old, to_status=Status.MATURED, on=date(2026, 1, 2), reason="x", by=people.officer
    )
    data = {"members": [cell.old.pk, cell.older.pk], "date": "26/03/2026", "reason": "Trưởng thành"}
    response = client.post(matured_url(cell), data)
    assert "Có đoàn viên đã chọn không còn trong danh sách" in response.content.decode()
    assert Member.objects.get(pk=cell.older.pk).status == Status.AWAY
    for bad in ({**data, "members": [cell.young.pk]}, {**data, "members": []}, {**data, "date": "01/01/2999"}):
        response = client.post(matured_url(cell), bad)
        assert response.status_code == 200
    assert Member.objects.get(pk=cell.older.pk).status == Status.AWAY


def test_out_of_scope_cells_and_other_levels_are_404_and_viewers_403(client, people, tree, cell):
    make_member(tree.C3, date_of_birth=date(1980, 1, 1))
    client.force_login(people.secretary)
    for unit in (tree.C2, tree.C3):
        assert client.get(matured_url(unit)).status_code == 404
        assert client.post(matured_url(unit), {}).status_code == 404
    client.force_login(people.officer)
    assert client.get(matured_url(tree.B1)).status_code == 404  # a cell's page
    assert client.get(matured_url(cell)).status_code == 200
    client.force_login(people.district)
    assert client.get(matured_url(cell)).status_code == 403


def test_the_page_in_english(client, people, cell):
    client.force_login(people.secretary)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(matured_url(cell)).content.decode()
    assert "Maturing out" in page and "31 years old" in page and "Select all" in page
    assert "2 members are past 30." in client.get(reverse("unit_detail", args=[cell.pk])).content.decode()
