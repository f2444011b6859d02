"""A unit's page lists what waits there, each item with the page that does it, for those who may do it."""

from datetime import date

from django.urls import reverse

from members import services as member_services
from referrals import services as referral_services
from tests.factories import make_member, make_referral, reviewed_referral
from tests.members.test_transfer import make_user_for


def todo(client, unit):
    response = client.get(reverse("unit_detail", args=[unit.pk]))
    return {t["key"]: (t["text"], t["url"]) for t in response.context["todo"]}


def test_a_cells_page_lists_its_work_with_the_way_to_it(client, people, tree, django_assert_max_num_queries):
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
