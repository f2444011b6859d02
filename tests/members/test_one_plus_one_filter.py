"""Who has done their 1+1 this year: a filter of the register, and a line on the cell's page."""

from datetime import date

from django.urls import reverse
from django.utils import timezone

from members.models import Status
from tests.factories import make_member, make_referral


def test_the_register_filters_members_by_their_1_plus_1_this_year(client, people, tree):
    year = timezone.localdate().year
    done = make_member(tree.C1, full_name="Đã Giới Thiệu")
    last_year = make_member(tree.C1, full_name="Năm Ngoái")
    make_member(tree.C1, full_name="Chưa Giới Thiệu")
    make_member(tree.C1, full_name="Đi Làm Xa", status=Status.AWAY)
    make_referral(tree.C1, people.secretary, introducer=done, introduced_on=date(year, 1, 2))
    make_referral(tree.C1, people.secretary, introducer=last_year, introduced_on=date(year - 1, 12, 30))
    client.force_login(people.secretary)

    def names(**query):
        page = client.get(reverse("member_list"), {"unit": tree.C1.pk, **query})
        return sorted(m.full_name for m in page.context["page"].object_list)

    assert names(one_plus_one="done") == ["Đã Giới Thiệu"]
    assert names(one_plus_one="not_yet", status="active") == ["Chưa Giới Thiệu", "Năm Ngoái"]
    cell_page = client.get(reverse("unit_detail", args=[tree.C1.pk])).content.decode()
    assert f"2/3 đoàn viên đang sinh hoạt chưa giới thiệu thanh niên nào trong năm {year} (1+1)." in cell_page
    assert "status=active&amp;one_plus_one=not_yet" in cell_page
    client.force_login(people.district)  # sees the cell, logs no referrals: no nudge
    assert "(1+1)." not in client.get(reverse("unit_detail", args=[tree.C1.pk])).content.decode()
