"""Two officers approving one candidate at the same moment, on PostgreSQL with two real connections."""

import time
from datetime import date

import pytest

from members.models import Member
from referrals import services
from referrals.models import Referral, Stage
from tests.concurrency import run_together
from tests.factories import reviewed_referral

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_two_simultaneous_approvals_make_exactly_one_member(people, tree):
    r = reviewed_referral(tree.C1, people.secretary)

    def approve(by, number):
        def go():
            return services.admit(
                referral=Referral.objects.get(pk=r.pk), by=by, decision_number=number, decision_date=date(2026, 6, 1)
            )

        return go

    results = run_together(approve(people.officer, "1-QĐ"), approve(people.district, "2-QĐ"))
    admitted = [x for x in results if isinstance(x, Referral)]
    refused = [x for x in results if isinstance(x, services.ReferralError)]
    assert len(admitted) == 1 and len(refused) == 1, results
    assert Member.objects.filter(full_name=r.full_name).count() == 1
    r.refresh_from_db()
    assert r.stage == Stage.ADMITTED and r.decision_number == admitted[0].decision_number


def test_the_second_approval_waits_for_the_first_lock(people, tree):
    """The row lock, not luck: a transaction holding the lock makes the other wait, then fail."""
    from django.db import transaction

    r = reviewed_referral(tree.C1, people.secretary)

    def slow_first():
        with transaction.atomic():
            Referral.objects.select_for_update().get(pk=r.pk)
            time.sleep(0.5)
            return services.admit(referral=r, by=people.officer, decision_number="1", decision_date=date(2026, 6, 1))

    def second():
        time.sleep(0.1)
        return services.admit(referral=r, by=people.district, decision_number="2", decision_date=date(2026, 6, 1))

    first_result, second_result = run_together(slow_first, second)
    assert isinstance(first_result, Referral)
    assert isinstance(second_result, services.ReferralError)
    assert Member.objects.filter(full_name=r.full_name).count() == 1


def test_two_lists_approved_at_once_with_one_candidate_in_both(people, tree):
    """Two officers, two decisions, one shared candidate: one list goes through whole, the other not at all
    (it names the shared candidate), and no candidate becomes two members. Locks in one order: no deadlock."""
    from unionapp.transactions import all_or_none

    shared = reviewed_referral(tree.C1, people.secretary, full_name="Người Chung")
    only_a = [reviewed_referral(tree.C1, people.secretary, full_name=f"Danh Sách A {i}") for i in range(3)]
    only_b = [reviewed_referral(tree.C2, people.secretary, full_name=f"Danh Sách B {i}") for i in range(3)]

    def approve(by, number, referrals):
        def go():
            chosen = sorted(referrals, key=lambda r: r.pk)
            return all_or_none(
                chosen,
                lambda r: services.admit(referral=r, by=by, decision_number=number, decision_date=date(2026, 6, 1)),
                refusal=services.ReferralError,
            )

        return go

    results = run_together(
        approve(people.officer, "A-QĐ", [*only_a, shared]), approve(people.district, "B-QĐ", [shared, *only_b])
    )
    assert sorted(len(refused) for refused in results) == [0, 1], results
    winner = "A-QĐ" if results[0] == [] else "B-QĐ"
    loser_names = {r.full_name for r in (only_b if winner == "A-QĐ" else only_a)}
    refused_referral, _message = next(x for x in results if x)[0]
    assert refused_referral.full_name == "Người Chung"
    assert Member.objects.filter(full_name="Người Chung").count() == 1
    assert not Member.objects.filter(full_name__in=loser_names).exists()
    assert set(Referral.objects.filter(stage=Stage.ADMITTED).values_list("decision_number", flat=True)) == {winner}
