"""A small province with known figures for 2026 (see the expectations in the tests).

    C1: m1, m2, m3 (joined 2020)   m1 introduced R1 (union, admitted 30/06) and R2 (federation, admitted 01/07)
                                   m2 introduced R3 (union, in training); m3: Party introduced 05/05, admitted 01/11
    C2: two members (2020)
    C3: one member (2020), who introduced R4 (union, reviewed)
    C4: two members (2020), one joined 01/03/2026; a Federation branch introduced R5 (union, admitted 01/02)
Targets 2026: P union 10 / federation 5; D1 union 4; B1 union 4 / federation 2; C1 union 2; B3 union 3.
"""

from datetime import date
from types import SimpleNamespace

import pytest

from referrals import services
from referrals.models import Joins
from reports.models import Target
from tests.factories import make_member, make_referral

Y = 2026


def walk_to_admission(r, by, decision_date, cell=None):
    start = max(r.introduced_on, date(Y, 1, 2))
    r = services.start_training(referral=r, by=by, course_name="Lớp cảm tình Đoàn", start=start, end=None)
    review = max(start, date(Y, 1, 20))
    r = services.record_review(referral=r, by=by, review_date=review, votes_for=9, votes_present=10)
    return services.admit(referral=r, by=by, decision_number="1-QĐ", decision_date=decision_date, cell=cell)


@pytest.fixture
def known(tree, people):
    k = SimpleNamespace()
    joined = date(2020, 3, 26)
    k.m1 = make_member(tree.C1, full_name="Âu Văn Một", joined_on=joined)
    k.m2 = make_member(tree.C1, full_name="Bế Văn Hai", joined_on=joined)
    k.m3 = make_member(tree.C1, full_name="Cù Thị Ba", joined_on=joined, party_introduced_on=date(Y, 5, 5),
                       party_admitted_on=date(Y, 11, 1))  # fmt: skip
    make_member(tree.C2, joined_on=joined)
    make_member(tree.C2, joined_on=joined)
    k.c3 = make_member(tree.C3, joined_on=joined, party_introduced_on=date(2025, 5, 5))
    make_member(tree.C4, joined_on=joined)
    make_member(tree.C4, joined_on=joined)
    make_member(tree.C4, joined_on=date(Y, 3, 1))
    by = people.province
    k.r1 = walk_to_admission(
        make_referral(tree.C1, by, introducer=k.m1, introduced_on=date(Y, 1, 1), date_of_birth=date(2008, 1, 1)),
        by,
        date(Y, 6, 30),
    )
    k.r2 = walk_to_admission(
        make_referral(tree.C1, by, introducer=k.m1, introduced_on=date(Y, 1, 1), joins=Joins.FEDERATION),
        by,
        date(Y, 7, 1),
    )
    k.r3 = make_referral(tree.C1, by, introducer=k.m2, introduced_on=date(Y, 4, 1))
    services.start_training(referral=k.r3, by=by, course_name="x", start=date(Y, 4, 2), end=None)
    k.r4 = make_referral(tree.C3, by, introducer=k.c3, introduced_on=date(Y, 5, 1))
    services.start_training(referral=k.r4, by=by, course_name="x", start=date(Y, 5, 2), end=None)
    k.r5 = walk_to_admission(make_referral(tree.C4, by, introduced_on=date(Y, 1, 1)), by, date(Y, 2, 1))
    Target.objects.bulk_create(
        [
            Target(unit=tree.P, year=Y, union=10, federation=5),
            Target(unit=tree.D1, year=Y, union=4),
            Target(unit=tree.B1, year=Y, union=4, federation=2),
            Target(unit=tree.C1, year=Y, union=2),
            Target(unit=tree.B3, year=Y, union=3),
        ]
    )
    return k
