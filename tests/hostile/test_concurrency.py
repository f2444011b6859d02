"""On PostgreSQL, with real concurrent connections: each race ends in one consistent state."""

from datetime import date

import pytest

from members import services as member_services
from members.models import Member, StatusEvent, Transfer
from referrals import services as referral_services
from referrals.models import Referral
from tests.concurrency import run_together
from tests.factories import make_member, make_referral

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_two_users_editing_one_member_the_second_is_told(people, tree):
    member = make_member(tree.C1, full_name="Hà Văn Gốc")
    seen = member.version  # both opened the form on the same version

    def edit(name, by):
        def go():
            copy = Member.objects.get(pk=member.pk)
            copy.full_name = name
            return member_services.save_member(member=copy, by=by, expected_version=seen)

        return go

    results = run_together(edit("Hà Văn Một", people.secretary), edit("Hà Văn Hai", people.officer))
    saved = [r for r in results if isinstance(r, Member)]
    told = [r for r in results if isinstance(r, member_services.StaleEdit)]
    assert len(saved) == 1 and len(told) == 1, results
    member.refresh_from_db()
    assert member.full_name == saved[0].full_name and member.version == seen + 1


def test_two_referrals_of_the_same_youth_only_one_is_open(people, tree):
    def log(cell, by):
        return lambda: make_referral(cell, by, citizen_id="001307009999", full_name="Vi Thị Trùng")

    results = run_together(log(tree.C1, people.secretary), log(tree.C3, people.province))
    assert sum(isinstance(r, Referral) for r in results) == 1, results
    assert sum(isinstance(r, referral_services.ReferralError) for r in results) == 1
    assert Referral.objects.filter(citizen_id="001307009999").count() == 1


def test_a_transfer_accepted_twice_moves_the_member_once(people, tree):
    member = make_member(tree.C1)
    transfer = member_services.request_transfer(
        member=member, to_cell=tree.C3, on=date(2026, 1, 1), reason="x", by=people.secretary
    )

    def accept(by):
        return lambda: member_services.decide_transfer(
            transfer=Transfer.objects.get(pk=transfer.pk), accept=True, by=by
        )

    results = run_together(accept(people.province), accept(people.admin))
    assert sum(isinstance(r, Transfer) for r in results) == 1, results
    assert sum(isinstance(r, member_services.RegisterError) for r in results) == 1
    member.refresh_from_db()
    assert member.cell == tree.C3
    assert StatusEvent.objects.filter(member=member).count() == 1


def test_a_cells_ratings_saved_twice_at_once_are_saved_once(people, tree):
    """A double tap on "Lưu xếp loại" on a phone: two identical posts racing."""
    from members.models import YearRating

    members = [make_member(tree.C1) for _ in range(5)]
    ratings = {m.pk: "good" for m in members}

    def rate():
        return member_services.rate_cell(ratings=ratings, year=2025, by=people.secretary)

    results = run_together(rate, rate)
    assert sorted(results) == [0, 5], results  # one saved them all, the other found nothing to change
    assert YearRating.objects.filter(year=2025).count() == 5


def test_next_years_targets_saved_twice_at_once_are_saved_once(people, tree):
    """A double tap on "Lưu chỉ tiêu" for a year without targets yet."""
    from reports import services as report_services
    from reports.models import Target, TargetChange

    values = {(tree.D1.pk, "union"): 120, (tree.D2.pk, "union"): 80}

    def save():
        return report_services.set_targets(values=values, year=2031, by=people.province)

    results = run_together(save, save)
    assert sorted(results) == [0, 2], results  # the second found them saved
    assert Target.objects.filter(year=2031).count() == 2 and TargetChange.objects.filter(year=2031).count() == 2
