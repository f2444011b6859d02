"""A unit's page lists what waits there, each item with the page that does it, for those who may do it."""

from datetime import date

from django.urls import reverse
from django.utils import timezone

from members import services as member_services
from referrals import services as referral_services
from tests.factories import make_member, make_referral, reviewed_referral
from tests.members.test_transfer import make_user_for


def todo(client, unit):
    response = client.get(reverse("unit_detail", args=[unit.pk]))
    return {t["key"]: (t["text"], t["url"]) for t in response.context["todo"]}


def test_a_cells_page_lists_its_work_with_the_way_to_it(
    client, people, tree, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2026, 11, 20))  # not the season of the review
    make_member(tree.C1, full_name="Đã Quá Tuổi", date_of_birth=date(1990, 1, 1))
    r = make_referral(tree.C1, people.secretary)
    referral_services.start_training(
        referral=r, by=people.secretary, course_name="Lớp", start=date(2026, 4, 1), end=None
    )
    client.force_login(people.secretary)
    with django_assert_max_num_queries(14):
        items = todo(client, tree.C1)
    assert set(items) == {"awaiting-review", "past-max-age", "one-plus-one-not-yet"}
    assert items["awaiting-review"] == (
        "1 thanh niên đang bồi dưỡng, chờ chi đoàn họp xét.",
        reverse("pipeline_board", args=[tree.C1.pk]),
    )
    assert items["past-max-age"][1] == reverse("cell_matured", args=[tree.C1.pk])
    client.force_login(people.district)  # sees the cell; none of this is theirs to do
    assert todo(client, tree.C1) == {}


def test_a_base_unions_page_lists_the_candidates_to_approve_and_the_members_to_take_in(client, people, tree):
    reviewed_referral(tree.C1, people.secretary)
    reviewed_referral(tree.C2, people.secretary)
    mover = make_member(tree.C3)
    member_services.request_transfer(member=mover, to_cell=tree.C1, on=date(2026, 1, 1), reason="x",
                                     by=make_user_for(tree.C3))  # fmt: skip
    client.force_login(people.officer)
    items = todo(client, tree.B1)
    assert items["awaiting-approval"] == ("2 hồ sơ chờ chuẩn y", reverse("pipeline_many", args=[tree.B1.pk, "admit"]))
    assert items["incoming-transfers"] == (
        "1 đoàn viên chuyển sinh hoạt đến đang chờ tiếp nhận.",
        reverse("transfer_list"),
    )
    client.force_login(people.secretary)  # a secretary approves nothing, and C2 is not theirs
    assert "awaiting-approval" not in todo(client, tree.C1)


def test_district_staff_see_where_candidates_wait_for_approval(client, people, tree):
    reviewed_referral(tree.C1, people.secretary)
    reviewed_referral(tree.C2, people.secretary)
    reviewed_referral(tree.C3, people.admin)  # another district's
    client.force_login(people.district)
    assert todo(client, tree.D1) == {
        "awaiting-approval": ("Đoàn xã Một: 2 hồ sơ chờ chuẩn y", reverse("pipeline_many", args=[tree.B1.pk, "admit"]))
    }
    dashboard = client.get(reverse("dashboard", args=[tree.D1.pk])).content.decode()
    assert "Đoàn xã Một: 2 hồ sơ chờ chuẩn y" in dashboard and "Đoàn xã Hai" not in dashboard


def test_in_the_season_of_the_review_a_cell_is_reminded_of_the_members_not_yet_rated(client, people, tree, monkeypatch):
    """December: this year's review; January to March: last year's. Due: the members of the cell by the end of that
    year (not one who joined in January after it) without a rating for it."""
    old, new, rated = (make_member(tree.C1, joined_on=day) for day in (date(2020, 3, 26), date(2026, 12, 5), None))
    make_member(tree.C1, joined_on=date(2027, 1, 5))
    member_services.rate_cell(ratings={rated.pk: "good"}, year=2026, by=people.secretary)
    client.force_login(people.secretary)
    rating_page = f"{reverse('cell_rating', args=[tree.C1.pk])}?year=2026"

    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2026, 12, 10))
    assert todo(client, tree.C1)["ratings-due"] == ("2 đoàn viên chưa được xếp loại năm 2026.", rating_page)
    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2027, 1, 15))
    assert todo(client, tree.C1)["ratings-due"] == ("2 đoàn viên chưa được xếp loại năm 2026.", rating_page)
    member_services.rate_cell(ratings={old.pk: "excellent", new.pk: "done"}, year=2026, by=people.secretary)
    assert "ratings-due" not in todo(client, tree.C1)
    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2027, 4, 1))  # the season is over
    assert "ratings-due" not in todo(client, tree.C1)
    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2026, 12, 10))
    client.force_login(people.district)  # reads the cell, rates nobody
    assert "ratings-due" not in todo(client, tree.C1)


def test_a_base_union_is_told_which_cells_nobody_can_log_in_to(client, people, tree):
    client.force_login(people.officer)
    # C1 has its secretary, C2 none: one cell, its account made straight from the list.
    assert todo(client, tree.B1)["cells-without-secretary"] == (
        "1 chi đoàn chưa có tài khoản bí thư.",
        f"{reverse('user_create')}?unit={tree.C2.pk}",
    )
    people.secretary.is_active = False  # C1's secretary left: their account is locked
    people.secretary.save()
    assert todo(client, tree.B1)["cells-without-secretary"] == (
        "2 chi đoàn chưa có tài khoản bí thư.",
        f"{reverse('unit_detail', args=[tree.B1.pk])}#truc-thuoc",
    )
    # Not for those who give no accounts.
    client.force_login(people.district)
    assert "cells-without-secretary" not in todo(client, tree.B1)
