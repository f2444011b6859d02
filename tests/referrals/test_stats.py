from datetime import date

from members import services as member_services
from members.models import Status
from referrals.stats import OnePlusOne, one_plus_one_rate
from tests.factories import make_member, make_referral


def test_the_one_plus_one_rate_on_a_hand_made_example(people, tree):
    """Period: the year 2026. At its start B1 had four members in the register:
    a (introduced two youths in 2026), b (introduced one in 2025 only), c (introduced one in 2026
    but left later in the year: still counted, he was there at the start), d (nobody).
    e joined during the year (not at the start) and introduced one: not counted.
    f had matured out in 2025: not counted. So 2 of 4 = 50,0 %."""
    a = make_member(tree.C1, joined_on=date(2020, 1, 1))
    b = make_member(tree.C1, joined_on=date(2020, 1, 1))
    c = make_member(tree.C2, joined_on=date(2021, 1, 1))
    make_member(tree.C2, joined_on=date(2022, 1, 1))  # d
    e = make_member(tree.C2, joined_on=date(2026, 3, 1))
    f = make_member(tree.C1, joined_on=date(2010, 1, 1))
    member_services.change_status(
        member=f, to_status=Status.MATURED, on=date(2025, 6, 1), reason="Quá 30 tuổi", by=people.secretary
    )
    make_referral(tree.C1, people.secretary, introducer=a, introduced_on=date(2026, 2, 1))
    make_referral(tree.C1, people.secretary, introducer=a, introduced_on=date(2026, 8, 1))
    make_referral(tree.C1, people.secretary, introducer=b, introduced_on=date(2025, 12, 31))
    make_referral(tree.C2, people.officer, introducer=c, introduced_on=date(2026, 1, 1))
    make_referral(tree.C2, people.officer, introducer=e, introduced_on=date(2026, 5, 1))
    make_referral(tree.C3, people.province, introduced_on=date(2026, 5, 1))  # a collective, elsewhere
    member_services.change_status(
        member=c, to_status=Status.REMOVED, on=date(2026, 9, 1), reason="Bỏ sinh hoạt", by=people.officer
    )

    result = one_plus_one_rate(tree.B1, date(2026, 1, 1), date(2026, 12, 31))
    assert result == OnePlusOne(members=4, introducers=2)
    assert result.rate == 50.0
    assert one_plus_one_rate(tree.C1, date(2026, 1, 1), date(2026, 12, 31)) == OnePlusOne(2, 1)
    # The first half only: a's first referral and c's count.
    assert one_plus_one_rate(tree.B1, date(2026, 1, 1), date(2026, 6, 30)).introducers == 2
    # From 01/07, e (joined in March) is counted at the start; only a introduced in the second half.
    assert one_plus_one_rate(tree.B1, date(2026, 7, 1), date(2026, 12, 31)) == OnePlusOne(members=5, introducers=1)


def test_no_members_gives_no_rate_rather_than_zero(tree):
    assert one_plus_one_rate(tree.C4, date(2026, 1, 1), date(2026, 12, 31)).rate is None


def test_the_rate_is_two_queries_whatever_the_size(people, tree, members, django_assert_num_queries):
    # members counted at the start; introducers among them, counted from the referrals
    with django_assert_num_queries(2):
        one_plus_one_rate(tree.P, date(2026, 1, 1), date(2026, 12, 31))
