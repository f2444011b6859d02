from datetime import date

import pytest
from django.db import IntegrityError

from members.models import Member, Status
from referrals import services
from referrals.models import Joins, ReferralEvent, Stage
from tests.factories import make_member, make_referral, reviewed_referral


def test_it_walks_every_step_in_order_and_records_who_and_when(people, tree):
    introducer = make_member(tree.C1)
    r = make_referral(tree.C1, people.secretary, introducer=introducer)
    r = services.start_training(
        referral=r, by=people.secretary, course_name="Lớp cảm tình Đoàn", start=date(2026, 4, 1), end=date(2026, 4, 3)
    )
    assert r.stage == Stage.TRAINING and r.course_end == date(2026, 4, 3)
    r = services.record_review(
        referral=r, by=people.secretary, review_date=date(2026, 5, 1), votes_for=7, votes_present=12
    )
    assert r.stage == Stage.REVIEWED and (r.votes_for, r.votes_present) == (7, 12)
    r = services.admit(referral=r, by=people.officer, decision_number="15-QĐ/ĐTN", decision_date=date(2026, 5, 20))
    assert r.stage == Stage.ADMITTED
    steps = list(ReferralEvent.objects.filter(referral=r).values_list("from_stage", "to_stage", "by__username"))
    assert steps == [
        ("", Stage.INTRODUCED, "bithu"),
        (Stage.INTRODUCED, Stage.TRAINING, "bithu"),
        (Stage.TRAINING, Stage.REVIEWED, "bithu"),
        (Stage.REVIEWED, Stage.ADMITTED, "canboxa"),
    ]


def test_admission_to_the_union_creates_exactly_one_member_linked_both_ways(people, tree):
    r = reviewed_referral(tree.C1, people.secretary, citizen_id="001307000111", phone="0987654321")
    r = services.admit(
        referral=r, by=people.officer, decision_number="15-QĐ/ĐTN", decision_date=date(2026, 5, 20), cell=tree.C2
    )
    member = Member.objects.get(citizen_id="001307000111")
    assert r.member == member and member.admission == r
    assert (member.cell, member.joined_on, member.status, member.phone) == (
        tree.C2,
        date(2026, 5, 20),
        Status.ACTIVE,
        "0987654321",
    )
    assert r.admitted_cell == tree.C2


def test_admission_goes_to_the_referrers_cell_by_default(people, tree):
    r = services.admit(
        referral=reviewed_referral(tree.C2, people.officer),
        by=people.officer,
        decision_number="1",
        decision_date=date(2026, 6, 1),
    )
    assert r.member.cell == tree.C2


def test_admission_to_the_federation_records_the_decision_only(people, tree):
    before = Member.objects.count()
    r = reviewed_referral(tree.C1, people.secretary, joins=Joins.FEDERATION)
    r = services.admit(referral=r, by=people.officer, decision_number="3-QĐ/HLHTN", decision_date=date(2026, 6, 1))
    assert r.stage == Stage.ADMITTED and r.member is None and r.decision_number == "3-QĐ/HLHTN"
    assert Member.objects.count() == before


def test_a_second_approval_is_refused_and_creates_no_second_member(people, tree):
    r = reviewed_referral(tree.C1, people.secretary)
    services.admit(referral=r, by=people.officer, decision_number="1", decision_date=date(2026, 6, 1))
    with pytest.raises(services.ReferralError, match="Đã kết nạp"):
        services.admit(referral=r, by=people.district, decision_number="2", decision_date=date(2026, 6, 2))
    assert Member.objects.filter(full_name=r.full_name).count() == 1


@pytest.mark.parametrize(
    ("step", "kwargs"),
    [
        ("record_review", {"review_date": date(2026, 5, 1), "votes_for": 5, "votes_present": 6}),
        ("admit", {"decision_number": "1", "decision_date": date(2026, 6, 1)}),
        ("refuse", {"reason": "x"}),
    ],
)
def test_steps_out_of_order_are_refused(people, tree, step, kwargs):
    r = make_referral(tree.C1, people.secretary)
    with pytest.raises(services.ReferralError, match="Không thể chuyển hồ sơ"):
        getattr(services, step)(referral=r, by=people.officer, **kwargs)
    r.refresh_from_db()
    assert r.stage == Stage.INTRODUCED and not Member.objects.filter(full_name=r.full_name).exists()


def test_a_closed_referral_cannot_be_withdrawn_or_trained(people, tree):
    r = make_referral(tree.C1, people.secretary)
    services.withdraw(referral=r, by=people.secretary, reason="Chuyển đi nơi khác")
    with pytest.raises(services.ReferralError):
        services.withdraw(referral=r, by=people.secretary, reason="again")
    with pytest.raises(services.ReferralError):
        services.start_training(referral=r, by=people.secretary, course_name="x", start=date(2026, 4, 1), end=None)


def test_the_cell_must_approve_by_more_than_half_of_those_present(people, tree):
    r = make_referral(tree.C1, people.secretary)
    r = services.start_training(referral=r, by=people.secretary, course_name="x", start=date(2026, 4, 1), end=None)
    with pytest.raises(services.ReferralError, match="quá nửa"):
        services.record_review(
            referral=r, by=people.secretary, review_date=date(2026, 5, 1), votes_for=6, votes_present=12
        )
    with pytest.raises(services.ReferralError):
        services.record_review(
            referral=r, by=people.secretary, review_date=date(2026, 5, 1), votes_for=13, votes_present=12
        )


@pytest.mark.parametrize(
    ("born", "refusal"),
    [
        (date(2010, 5, 2), "mới 15 tuổi"),
        (date(2010, 5, 1), None),
        (date(1995, 5, 2), None),
        (date(1995, 5, 1), "đã 31"),
    ],
)
def test_the_age_rule_is_enforced_when_the_cell_reviews(people, tree, born, refusal):
    # Review on 01/05/2026: 16 years old from 01/05/2010, 31 (too old) from 01/05/1995. A review outside the rule
    # could never be approved: it is refused, and the candidate stays in training.
    r = make_referral(tree.C1, people.secretary, date_of_birth=born, introduced_on=date(2026, 3, 1))
    r = services.start_training(referral=r, by=people.secretary, course_name="x", start=date(2026, 4, 1), end=None)
    review = {
        "referral": r,
        "by": people.secretary,
        "review_date": date(2026, 5, 1),
        "votes_for": 9,
        "votes_present": 9,
    }
    if refusal is None:
        r = services.record_review(**review)
        assert services.admit(referral=r, by=people.officer, decision_number="1", decision_date=date(2026, 6, 1)).member
    else:
        with pytest.raises(services.ReferralError, match=refusal):
            services.record_review(**review)
        r.refresh_from_db()
        assert r.stage == Stage.TRAINING


def test_the_age_rule_is_checked_again_at_approval_after_a_corrected_birth_date(people, tree):
    r = reviewed_referral(tree.C1, people.secretary, date_of_birth=date(2005, 1, 1))
    r.date_of_birth = date(2011, 1, 1)  # corrected after the meeting: 15 on the review day
    services.correct_referral(referral=r, by=people.secretary)
    with pytest.raises(services.ReferralError, match="từ 16 đến 30 tuổi"):
        services.admit(referral=r, by=people.officer, decision_number="1", decision_date=date(2026, 6, 1))
    r.refresh_from_db()
    assert r.stage == Stage.REVIEWED


def test_a_review_before_the_introduction_or_the_course_is_refused(people, tree):
    r = make_referral(tree.C1, people.secretary, introduced_on=date(2026, 3, 1))
    r = services.start_training(referral=r, by=people.secretary, course_name="x", start=date(2026, 2, 1),
                                end=date(2026, 3, 10))  # fmt: skip
    for day, shown in ((date(2026, 2, 28), "10/03/2026"), (date(2026, 3, 9), "10/03/2026")):
        with pytest.raises(services.ReferralError, match=shown):
            services.record_review(referral=r, by=people.secretary, review_date=day, votes_for=9, votes_present=9)
    r = services.record_review(referral=r, by=people.secretary, review_date=date(2026, 3, 10), votes_for=9,
                               votes_present=9)  # fmt: skip
    assert r.stage == Stage.REVIEWED


def test_the_age_rule_does_not_apply_to_the_federation(people, tree):
    r = reviewed_referral(tree.C1, people.secretary, joins=Joins.FEDERATION, date_of_birth=date(1994, 1, 1))
    assert (
        services.admit(referral=r, by=people.officer, decision_number="1", decision_date=date(2026, 6, 1)).stage
        == Stage.ADMITTED
    )


def test_admission_into_a_cell_of_another_base_union_is_refused(people, tree):
    r = reviewed_referral(tree.C1, people.secretary)
    with pytest.raises(services.ReferralError, match="cùng đoàn cơ sở"):
        services.admit(
            referral=r, by=people.province, decision_number="1", decision_date=date(2026, 6, 1), cell=tree.C3
        )


def test_refusal_and_withdrawal_keep_the_reason(people, tree):
    r = services.refuse(
        referral=reviewed_referral(tree.C1, people.secretary), by=people.officer, reason="Chưa đủ tiêu chuẩn"
    )
    assert (r.stage, r.closing_reason) == (Stage.NOT_ADMITTED, "Chưa đủ tiêu chuẩn")
    w = services.withdraw(referral=make_referral(tree.C1, people.secretary), by=people.secretary, reason="Đi học xa")
    assert (w.stage, w.closing_reason) == (Stage.WITHDRAWN, "Đi học xa")


def test_two_open_referrals_with_one_citizen_id_are_refused_by_the_database(people, tree):
    make_referral(tree.C1, people.secretary, citizen_id="001307000222")
    with pytest.raises(services.ReferralError, match="đang được giới thiệu"):
        make_referral(tree.C3, people.province, citizen_id="001307000222")


def test_another_database_error_is_not_reported_as_a_duplicate_citizen_id(people, tree, monkeypatch):
    def broken(cells):
        raise IntegrityError("NOT NULL constraint failed: reports_celltally.introduced")

    monkeypatch.setattr(services.tally, "refresh", broken)
    with pytest.raises(IntegrityError, match="reports_celltally"):
        make_referral(tree.C1, people.secretary, citizen_id="001307000333")


def test_a_citizen_id_may_be_referred_again_once_the_first_referral_closed(people, tree):
    first = make_referral(tree.C1, people.secretary, citizen_id="001307000333")
    services.withdraw(referral=first, by=people.secretary, reason="x")
    assert make_referral(tree.C1, people.secretary, citizen_id="001307000333").stage == Stage.INTRODUCED
