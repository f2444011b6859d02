"""Any sequence of the register's and the pipeline's write operations, refusals included, leaves the reports'
summary rows equal to the register: random walks with fixed seeds, dated back from today."""

import random
from datetime import date, timedelta

import pytest
from django.utils import timezone

from members import services as ms
from members.models import Member, Status, Transfer
from referrals import services as rs
from referrals.models import Joins, Referral, Stage
from reports import tally
from tests.factories import make_member, make_referral
from tests.reports.test_tally import cells, same_figures
from unionapp.models import Kind, Unit


class Walk:
    """One random walk: each method is a write a user can make, with arguments that may well be refused."""

    def __init__(self, seed, by):
        self.rng, self.by, self.today = random.Random(seed), by, timezone.localdate()
        self.cells = list(Unit.objects.filter(kind=Kind.CELL))
        self.admitted = 0

    def day(self, back=900):
        return self.today - timedelta(days=self.rng.randrange(back))

    def member(self):
        return self.rng.choice(list(Member.objects.all()))

    def referral(self, *stages):
        """A referral at one of ``stages``, or now and then at any stage (the step is then refused)."""
        pool = list(Referral.objects.filter(stage__in=stages))
        if not pool or self.rng.random() < 0.2:
            pool = list(Referral.objects.all())
        return self.rng.choice(pool) if pool else None

    def status(self):
        ms.change_status(member=self.member(), to_status=self.rng.choice(Status.values), on=self.day(), reason="x",
                         by=self.by)  # fmt: skip

    def move(self):
        ms.move_member(member=self.member(), to_cell=self.rng.choice(self.cells), on=self.day(), reason="x", by=self.by)

    def transfer(self, until=None, on=None):
        ms.request_transfer(member=self.member(), to_cell=self.rng.choice(self.cells), on=on or self.day(),
                            reason="x", by=self.by, until=until, accepted=self.rng.random() < 0.4)  # fmt: skip

    def stay(self):
        on = self.day(60)
        self.transfer(until=on + timedelta(days=self.rng.randrange(1, 90)), on=on)

    def decide(self):
        if t := Transfer.objects.filter(state=Transfer.State.PENDING).first():
            ms.decide_transfer(transfer=t, accept=self.rng.random() < 0.7, by=self.by, refusal_reason="x")

    def withdraw_transfer(self):
        if t := Transfer.objects.filter(state=Transfer.State.PENDING).first():
            ms.withdraw_transfer(transfer=t, by=self.by)

    def end_stay(self):
        if t := Transfer.objects.stays_on(self.today).first():
            ms.end_stay(transfer=t, on=self.today, by=self.by)

    def edit(self):
        m = self.member()
        m.joined_on = self.day(3000)
        if self.rng.random() < 0.3:
            m.party_introduced_on = self.day(400)
        ms.save_member(member=m, by=self.by, expected_version=m.version)

    def delete(self):
        if ms.deletable(m := self.member()):
            ms.delete_member(member=m, by=self.by)

    def log(self):
        on = self.day(700)
        born = date(on.year - self.rng.randrange(15, 32), self.rng.randrange(1, 13), 1)  # now and then too young or old
        make_referral(self.rng.choice(self.cells), self.by, introducer=self.rng.choice([self.member(), None]),
                      introduced_on=on, joins=self.rng.choice(Joins.values), date_of_birth=born)  # fmt: skip

    def train(self):
        if r := self.referral(Stage.INTRODUCED):
            rs.start_training(referral=r, by=self.by, course_name="x", start=r.introduced_on, end=None)

    def review(self):
        if r := self.referral(Stage.TRAINING):
            day = min(self.today, r.introduced_on + timedelta(days=30))
            rs.record_review(referral=r, by=self.by, review_date=day, votes_for=5, votes_present=6)

    def admit(self):
        if r := self.referral(Stage.REVIEWED):
            day = min(self.today, (r.review_date or r.introduced_on) + timedelta(days=self.rng.randrange(40)))
            cell = self.rng.choice(list(rs.admission_cells(r)) or [None])
            rs.admit(referral=r, by=self.by, decision_number="1-QĐ", decision_date=day, cell=cell)
            self.admitted += 1

    def advance(self):
        """The pipeline's next step for the referral furthest along it."""
        for stage, step in (
            (Stage.REVIEWED, self.admit),
            (Stage.TRAINING, self.review),
            (Stage.INTRODUCED, self.train),
        ):
            if Referral.objects.filter(stage=stage).exists():
                return step()

    def correct_decision(self):
        if r := self.referral(Stage.ADMITTED):
            day = min(self.today, (r.review_date or r.introduced_on) + timedelta(days=self.rng.randrange(-5, 60)))
            rs.correct_decision(referrals=[r], number="2-QĐ", day=day, by=self.by)

    def undo(self):
        if r := self.referral(Stage.ADMITTED):
            rs.undo_admission(referral=r, by=self.by, reason="x")

    def refuse(self):
        if r := self.referral(Stage.REVIEWED):
            rs.refuse(referral=r, by=self.by, reason="x")

    def withdraw(self):
        if r := self.referral(*Stage.OPEN):
            rs.withdraw(referral=r, by=self.by, reason="x")

    def delete_referral(self):
        if r := self.referral(*Stage.values):
            rs.delete_referrals(Referral.objects.filter(pk=r.pk))

    # Referrals are logged and moved along more often, or few would get as far as an admission.
    STEPS = ("status", "move", "transfer", "stay", "decide", "withdraw_transfer", "end_stay", "edit", "delete",
             "log", "log", "train", "review", "admit", "advance", "advance", "advance", "advance", "undo",
             "correct_decision", "refuse", "withdraw", "delete_referral")  # fmt: skip


@pytest.mark.parametrize("seed", range(3))
def test_a_random_walk_of_writes_keeps_the_rows_equal_to_the_register(tree, people, seed):
    walk = Walk(seed, people.province)
    for cell in walk.cells:
        for _ in range(3):
            make_member(cell, joined_on=walk.day(2000))
    done = []  # the steps taken, "!" where refused: a failure's message replays the walk
    for _ in range(80):
        step = walk.rng.choice(Walk.STEPS)
        try:
            getattr(walk, step)()
            done.append(step)
        except (ms.RegisterError, rs.ReferralError):
            done.append(step + "!")
        assert tally.check() == [], (seed, done)
    assert walk.admitted, done  # the walk went as far as admissions
    same_figures(cells(tree))
