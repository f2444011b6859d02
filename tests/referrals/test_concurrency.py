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
