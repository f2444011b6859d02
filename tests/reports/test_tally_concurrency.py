"""Writes to one cell at the same moment, on PostgreSQL with real connections: the summary rows stay exact."""

import pytest

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
