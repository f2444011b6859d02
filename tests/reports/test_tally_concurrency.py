"""Writes to one cell at the same moment, on PostgreSQL with real connections: the summary rows stay exact."""

import pytest
from django.utils import timezone

from referrals import services
from referrals.models import Referral
from reports import tally
from tests.concurrency import run_together
from tests.factories import make_referral

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_referrals_logged_at_once_in_one_cell_are_all_counted(people, tree):
    def log(n):
        return lambda: make_referral(tree.C1, people.secretary, full_name=f"Cùng Lúc {n}")

    results = run_together(log(1), log(2), log(3))
    assert all(isinstance(r, Referral) for r in results), results
    assert tally.check() == []
    rows = tally.stored([tree.C1.pk])
    assert rows[(tree.C1.pk, 0, tally.EVER)][1][tally.INDEX["open_referrals"]] == 3


def test_admissions_at_once_in_cells_of_one_district_all_reach_its_months(people, tree):
    # C1 and C2 (base B1) are under district D1: both cells add to D1's month row at the same moment.

    from tests.factories import reviewed_referral

    reviewed = [reviewed_referral(cell, people.province) for cell in (tree.C1, tree.C2, tree.C1)]

    def admit(r):
        return lambda: services.admit(referral=r, by=people.province, decision_number="1-QĐ",
                                      decision_date=timezone.localdate())  # fmt: skip

    results = run_together(*(admit(r) for r in reviewed))
    assert all(isinstance(r, Referral) for r in results), results
    assert tally.check() == []
    assert tally.stored_months_of([tree.D1.pk]) == {(tree.D1.pk, timezone.localdate().replace(day=1)): 3}
