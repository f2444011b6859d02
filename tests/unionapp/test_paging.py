"""A filtered list reads its page by sorting the matches when they are few, by its order's index when they
are many: the rows and their order must not depend on which."""

from datetime import date

import pytest
from django.urls import reverse

from members.models import Member
from referrals.models import Referral
from tests.factories import make_member, make_referral
from unionapp.paging import FilteredPaginator

NAMES = ["Lý Văn Ba", "lê thị an", "Lê Thị An", "Đinh Công Bảy", "Âu Văn Cường", "Ông Thị Dung", "Lê Văn Đức"]


def pages(qs, order, few):
    paginator = FilteredPaginator(qs, 3, order=order, few=few)
    return [[row.pk for row in paginator.page(n).object_list] for n in paginator.page_range]


@pytest.mark.django_db
def test_members_come_in_name_order_whichever_way_the_page_is_read(tree):
    for name in NAMES:
        make_member(tree.C1, full_name=name)
    qs = Member.objects.filter(cell=tree.C1)
    by_sorting = pages(qs, ("sort_key", "pk"), few=100)
    by_index = pages(qs, ("sort_key", "pk"), few=0)
    assert by_sorting == by_index
    ordered = [Member.objects.get(pk=pk).full_name for page in by_sorting for pk in page]
    # Register order: given name first, Vietnamese alphabet (Đ after D), one name's two spellings by entry.
    assert ordered == [
        "lê thị an",
        "Lê Thị An",
        "Lý Văn Ba",
        "Đinh Công Bảy",
        "Âu Văn Cường",
        "Ông Thị Dung",
        "Lê Văn Đức",
    ]


@pytest.mark.django_db
def test_referrals_come_newest_first_whichever_way_the_page_is_read(tree, people):
    days = [date(2026, 3, d) for d in (5, 1, 9, 1, 5, 2, 7)]
    for day in days:
        make_referral(tree.C1, people.secretary, introduced_on=day)
    qs = Referral.objects.all()
    by_sorting = pages(qs, ("-introduced_on", "-pk"), few=100)
    assert by_sorting == pages(qs, ("-introduced_on", "-pk"), few=0)
    assert [Referral.objects.get(pk=pk).introduced_on for page in by_sorting for pk in page] == sorted(
        days, reverse=True
    )


def test_a_name_search_lists_its_matches_in_name_order(client, people, tree):
    for i in range(7):
        make_member(tree.C1, full_name=f"Nguyễn Văn {chr(ord('A') + i)}")
    make_member(tree.C1, full_name="Trần Thị Hoa")
    client.force_login(people.secretary)
    response = client.get(reverse("member_list"), {"q": "nguyen"})
    page = response.context["page"]
    assert page.paginator.count == 7
    assert [m.full_name for m in page.object_list] == [f"Nguyễn Văn {chr(ord('A') + i)}" for i in range(7)]
