"""Every write to a referral goes through here: each step in order, who and when recorded,
admission creating the member in the same transaction."""

from contextlib import contextmanager
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from members import services as register
from members.models import MAX_AGE, MIN_AGE, Member, Status
from referrals.models import Joins, Referral, ReferralEvent, Stage
from reports import tally
from unionapp import audit
from unionapp.models import Kind, Unit


class ReferralError(Exception):
    """A refused step, with a message for the user."""


def log_referral(*, referral: Referral, by) -> Referral:
    referral.refresh_derived()
    referral.created_by = by
    with one_open_referral_per_citizen_id(), transaction.atomic():
        referral.save()
        ReferralEvent.objects.create(referral=referral, to_stage=Stage.INTRODUCED, by=by)
        tally.refresh([referral.cell_id, referral.introducer.cell_id if referral.introducer_id else None])
        audit.record(audit.Action.CREATE, by=by, obj=referral, changes={"stage": [None, Stage.INTRODUCED.label]})
    return referral


@contextmanager
def one_open_referral_per_citizen_id():
    """The partial unique index refusing a second open referral with one citizen ID (another write won the
    race after the form's check), as a refusal with a message. Outside the write's transaction."""
    try:
        yield
    except IntegrityError as e:
        if not is_open_citizen_id_clash(e):
            raise
        raise ReferralError(
            _("Thanh niên có số CCCD này đang được giới thiệu ở một hồ sơ khác chưa kết thúc.")
        ) from None


# What a correction may change: the form's fields, never the stage or a step's data.
CORRECTABLE = [
    "cell", "introducer", "collective_kind", "collective_name", "joins", "full_name", "date_of_birth", "gender",
    "phone", "citizen_id", "address", "place_kind", "place_name", "introduced_on", "note",
]  # fmt: skip


def correct_referral(*, referral: Referral, by) -> Referral:
    """Save corrections to an open referral (a name mistyped on a phone, the wrong introducer or date). The
    cell changes only before the course (the cell meeting reviews its own candidates). The summary rows of
    every cell it counts in, before and after, follow in the same transaction."""
    referral.refresh_derived()
    with one_open_referral_per_citizen_id(), transaction.atomic():
        stored = Referral.objects.select_for_update(of=("self",)).select_related("introducer").get(pk=referral.pk)
        if stored.stage not in Stage.OPEN:
            raise ReferralError(_("Hồ sơ đã kết thúc, không sửa được nữa."))
        if referral.cell_id != stored.cell_id and stored.stage != Stage.INTRODUCED:
            raise ReferralError(_("Chỉ đổi được chi đoàn khi hồ sơ chưa vào lớp bồi dưỡng."))
        if stored.review_date and referral.introduced_on > stored.review_date:
            raise ReferralError(
                _("Ngày giới thiệu (%(day)s) không được sau ngày chi đoàn họp xét (%(review)s).")
                % {"day": f"{referral.introduced_on:%d/%m/%Y}", "review": f"{stored.review_date:%d/%m/%Y}"}
            )
        before = audit.snapshot(stored, CORRECTABLE)
        referral.save(update_fields=[*CORRECTABLE, "search_name"])
        cells = {stored.cell_id, referral.cell_id}
        cells |= {r.introducer.cell_id for r in (stored, referral) if r.introducer_id}
        tally.refresh(cells)
        changes = audit.diff(before, audit.snapshot(referral, CORRECTABLE))
        if changes:
            audit.record(audit.Action.CHANGE, by=by, obj=referral, changes=changes)
    return referral


@transaction.atomic
def delete_referrals(referrals) -> int:
    """Delete the referrals of a queryset (the benchmark's and load test's own, never a user's) and recount
    the summary rows of every cell they counted in: theirs, their introducers' and where they were admitted."""
    cells = set()
    for cell_ids in referrals.values_list("cell_id", "introducer__cell_id", "admitted_cell_id"):
        cells.update(cell_ids)
    _total, by_model = referrals.delete()  # with their events
    tally.refresh(cells)
    return by_model.get(Referral._meta.label, 0)


def is_open_citizen_id_clash(error: IntegrityError) -> bool:
    """The error is the one-open-referral-per-citizen-ID index (PostgreSQL names the constraint;
    SQLite names the column), not another constraint that would deserve its own message."""
    text = str(error)
    return "referral_one_open_per_citizen_id" in text or "referrals_referral.citizen_id" in text


def _step(referral: Referral, *, to: str, allowed_from: tuple, by, note: str = "", **fields) -> Referral:
    """Lock the row, check the order, write the fields and the event. Callers hold a transaction."""
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.stage not in allowed_from:
        raise ReferralError(
            _("Không thể chuyển hồ sơ từ “%(a)s” sang “%(b)s”.")
            % {"a": locked.get_stage_display(), "b": Stage(to).label}
        )
    changes = {name: [audit.plain(getattr(locked, name)), audit.plain(value)] for name, value in fields.items()}
    for name, value in fields.items():
        setattr(locked, name, value)
    from_stage, locked.stage = locked.stage, to
    locked.save()
    ReferralEvent.objects.create(referral=locked, from_stage=from_stage, to_stage=to, by=by, note=note[:500])
    tally.refresh([locked.cell_id, locked.admitted_cell_id])
    audit.record(
        audit.Action.STEP, by=by, obj=locked, changes={"stage": [Stage(from_stage).label, Stage(to).label], **changes}
    )
    return locked


@transaction.atomic
def start_training(*, referral: Referral, by, course_name: str, start: date, end: date | None) -> Referral:
    if end and end < start:
        raise ReferralError(_("Ngày kết thúc lớp phải sau ngày bắt đầu."))
    return _step(
        referral,
        to=Stage.TRAINING,
        allowed_from=(Stage.INTRODUCED,),
        by=by,
        course_name=course_name,
        course_start=start,
        course_end=end,
    )


@transaction.atomic
def record_review(*, referral: Referral, by, review_date: date, votes_for: int, votes_present: int) -> Referral:
    """The cell meeting: more than half of those present must approve."""
    if votes_present <= 0 or votes_for > votes_present:
        raise ReferralError(_("Số tán thành phải nằm trong khoảng từ 0 đến số có mặt."))
    if votes_for * 2 <= votes_present:
        raise ReferralError(
            _(
                "Chưa được quá nửa số đoàn viên có mặt tán thành, chi đoàn chưa thể đề nghị kết nạp. Có thể ghi nhận “Rút hồ sơ”."
            )
        )
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.stage == Stage.TRAINING:
        check_review(locked, review_date)
    return _step(
        locked,
        to=Stage.REVIEWED,
        allowed_from=(Stage.TRAINING,),
        by=by,
        review_date=review_date,
        votes_for=votes_for,
        votes_present=votes_present,
    )


def check_review(referral: Referral, review_date: date) -> None:
    """A cell meeting reviews a candidate already introduced and trained, who (for the union) is from 16 to 30
    years old on that day: the age the admission is judged by, so a review outside it could never be approved."""
    after = max(d for d in (referral.introduced_on, referral.course_start, referral.course_end) if d)
    if review_date < after:
        raise ReferralError(
            _(
                "Ngày chi đoàn họp xét (%(day)s) không được trước ngày giới thiệu hay ngày học lớp bồi dưỡng "
                "(%(after)s). Nếu các ngày đó ghi nhầm, hãy sửa hồ sơ trước."
            )
            % {"day": f"{review_date:%d/%m/%Y}", "after": f"{after:%d/%m/%Y}"}
        )
    if referral.joins != Joins.UNION:
        return
    age, day = referral.age_on(review_date), f"{review_date:%d/%m/%Y}"
    if age < MIN_AGE:
        raise ReferralError(
            _(
                "Vào ngày họp xét %(day)s, %(name)s mới %(age)s tuổi, chưa đủ 16 tuổi để kết nạp Đoàn. Hãy để hồ sơ "
                "chờ đến khi đủ tuổi, hoặc rút hồ sơ."
            )
            % {"day": day, "name": referral.full_name, "age": age}
        )
    if age > MAX_AGE:
        raise ReferralError(
            _(
                "Vào ngày họp xét %(day)s, %(name)s đã %(age)s tuổi, quá tuổi kết nạp Đoàn (từ 16 đến 30). Có thể rút "
                "hồ sơ và giới thiệu vào Hội."
            )
            % {"day": day, "name": referral.full_name, "age": age}
        )


def admission_cells(referral: Referral):
    """Cells of the referral's base union: where an admitted youth may become a member."""
    base = referral.cell.parent
    return Unit.objects.filter(parent=base, kind=Kind.CELL, is_active=True).order_by("name")


@transaction.atomic
def admit(*, referral: Referral, by, decision_number: str, decision_date: date, cell: Unit | None = None) -> Referral:
    """Approve the admission. For the union, create the member in ``cell`` (by default the referral's)
    with the decision date as join date, linked both ways; for the federation, record the decision only.

    Two officers approving at once: the row lock serialises them and the second sees "admitted";
    the one-to-one on ``member`` backs it in the database."""
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    check_day = locked.review_date or decision_date
    if decision_date > timezone.localdate():
        raise ReferralError(_("Ngày quyết định không được sau hôm nay."))
    if locked.review_date and decision_date < locked.review_date:
        raise ReferralError(
            _(
                "Ngày quyết định phải sau ngày chi đoàn họp xét (%(day)s). Nếu ngày họp xét ghi sai: mở hồ sơ, bấm "
                "“Trở lại bước trước (ghi nhầm)” rồi ghi nhận lại cuộc họp."
            )
            % {"day": f"{locked.review_date:%d/%m/%Y}"}
        )
    if locked.stage == Stage.REVIEWED and locked.joins == Joins.UNION:
        age = locked.age_on(check_day)
        if not MIN_AGE <= age <= MAX_AGE:
            raise ReferralError(
                _("Không thể kết nạp: khi chi đoàn xét, thanh niên %(age)s tuổi (quy định từ 16 đến 30 tuổi).")
                % {"age": age}
            )
    cell = cell or locked.cell
    if cell.parent_id != locked.cell.parent_id or cell.kind != Kind.CELL:
        raise ReferralError(_("Chi đoàn kết nạp phải thuộc cùng đoàn cơ sở với chi đoàn giới thiệu."))
    fields = {"decision_number": decision_number, "decision_date": decision_date, "admitted_cell": cell}
    if locked.stage == Stage.REVIEWED and locked.joins == Joins.UNION:
        if locked.citizen_id and Member.objects.filter(citizen_id=locked.citizen_id).exists():
            raise ReferralError(_("Số CCCD này đã có trong sổ đoàn viên; không thể kết nạp lần nữa."))
        member = Member(
            cell=cell,
            full_name=locked.full_name,
            date_of_birth=locked.date_of_birth,
            gender=locked.gender,
            citizen_id=locked.citizen_id,
            phone=locked.phone,
            address=locked.address,
            occupation=locked.place_name[:100],
            joined_on=decision_date,
            status=Status.ACTIVE,
        )
        member.refresh_derived()
        member.save()
        audit.record(audit.Action.CREATE, by=by, obj=member, changes={"admission": [None, decision_number]})
        fields["member"] = member
    return _step(locked, to=Stage.ADMITTED, allowed_from=(Stage.REVIEWED,), by=by, note=decision_number, **fields)


def admitted_today(events) -> bool:
    """Whether the last admission among a referral's ``events`` (its steps) was recorded today: the day on which
    it may still be undone."""
    days = [e.at for e in events if e.to_stage == Stage.ADMITTED]
    return bool(days) and timezone.localdate(max(days)) == timezone.localdate()


def undo_refused(referral: Referral) -> str | None:
    """Why the admission of ``referral`` may not be undone, or None. Only on the day it was recorded (a wrong
    candidate ticked in a list, a decision entered twice), and while the new member has no history of their
    own: after that day the admission is the record, and changes to the member are dated events."""
    if referral.stage != Stage.ADMITTED:
        return _("Hồ sơ này không ở bước “Đã kết nạp”.")
    if not admitted_today(referral.events.filter(to_stage=Stage.ADMITTED)):
        return _(
            "Chỉ hủy được chuẩn y trong ngày đã ghi nhận. Việc kết nạp từ những ngày trước đã vào sổ; nếu có sai sót, "
            "hãy sửa quyết định hoặc ghi nhận biến động cho đoàn viên."
        )
    if referral.member_id:
        return register.deletion_refused(referral.member, with_admission=True)
    return None


@transaction.atomic
def undo_admission(*, referral: Referral, by, reason: str) -> Referral:
    """An admission recorded by mistake today: the referral goes back to "reviewed by the cell", without its
    decision, and the member it created leaves the register (as a record entered by mistake is deleted)."""
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if refusal := undo_refused(locked):
        raise ReferralError(refusal)
    member, cell_id = locked.member, locked.admitted_cell_id
    locked = _step(
        locked,
        to=Stage.REVIEWED,
        allowed_from=(Stage.ADMITTED,),
        by=by,
        note=reason,
        decision_number="",
        decision_date=None,
        admitted_cell=None,
        member=None,
    )
    if member is not None:
        register.delete_member(member=member, by=by, with_admission=True)
    tally.refresh([cell_id])
    return locked


@transaction.atomic
def correct_decision(*, referrals, number: str, day: date, by) -> None:
    """Correct the number or date of an approval decision on every referral it admitted (a typo found once
    the list is printed). A union member who joined on the old date joins on the new one; the date must
    still follow each cell meeting and not be in the future. All or nothing: the first refusal names whom."""
    if day > timezone.localdate():
        raise ReferralError(_("Ngày quyết định không được sau hôm nay."))
    cells = set()
    locked = Referral.objects.select_for_update(of=("self",)).filter(pk__in=[r.pk for r in referrals])
    for referral in locked.order_by("pk"):  # one order for the row locks, as every list step
        if referral.stage != Stage.ADMITTED:
            raise ReferralError(_("Hồ sơ %(name)s không còn ở bước “Đã kết nạp”.") % {"name": referral.full_name})
        if referral.review_date and day < referral.review_date:
            raise ReferralError(
                _("%(name)s: ngày quyết định phải sau ngày chi đoàn họp xét (%(day)s).")
                % {"name": referral.full_name, "day": f"{referral.review_date:%d/%m/%Y}"}
            )
        fields = ["decision_number", "decision_date"]
        before = audit.snapshot(referral, fields)
        old_day, referral.decision_number, referral.decision_date = referral.decision_date, number, day
        referral.save(update_fields=fields)
        cells.add(referral.admitted_cell_id)
        if changes := audit.diff(before, audit.snapshot(referral, fields)):
            audit.record(audit.Action.CHANGE, by=by, obj=referral, changes=changes)
        if referral.member_id and day != old_day:
            member = Member.objects.select_for_update().get(pk=referral.member_id)
            if (first := register.first_event_day(member)) and first < day:
                raise ReferralError(
                    _("%(name)s: đã có biến động từ ngày %(first)s, trước ngày quyết định mới.")
                    % {"name": referral.full_name, "first": f"{first:%d/%m/%Y}"}
                )
            if member.joined_on == old_day:  # not corrected by hand since
                Member.objects.filter(pk=member.pk).update(
                    joined_on=day,
                    updated_at=timezone.now(),
                    version=F("version") + 1,
                    decision_corrections=F("decision_corrections") + 1,
                )
                cells.add(member.cell_id)
                audit.record(
                    audit.Action.CHANGE,
                    by=by,
                    obj=member,
                    changes={"joined_on": [audit.plain(old_day), audit.plain(day)]},
                )
    tally.refresh(cells)


@transaction.atomic
def refuse(*, referral: Referral, by, reason: str) -> Referral:
    return _step(
        referral, to=Stage.NOT_ADMITTED, allowed_from=(Stage.REVIEWED,), by=by, note=reason, closing_reason=reason
    )


@transaction.atomic
def withdraw(*, referral: Referral, by, reason: str) -> Referral:
    return _step(referral, to=Stage.WITHDRAWN, allowed_from=Stage.OPEN, by=by, note=reason, closing_reason=reason)


# A step recorded by mistake (a wrong course date, a cell meeting's wrong date or votes, the wrong candidate ticked
# in a class list) is taken back while the referral is open: to the stage before, without what the step recorded,
# to be recorded again as it should be. Each stage back clears the fields of the step that led to it.
BACK = {
    Stage.TRAINING: (Stage.INTRODUCED, {"course_name": "", "course_start": None, "course_end": None}),
    Stage.REVIEWED: (Stage.TRAINING, {"review_date": None, "votes_for": None, "votes_present": None}),
}


def step_back_refused(referral: Referral) -> str | None:
    if referral.stage not in BACK:
        return _("Chỉ hồ sơ đang bồi dưỡng hoặc chi đoàn đã xét mới trở lại bước trước được.")
    return None


@transaction.atomic
def step_back(*, referral: Referral, by, reason: str) -> Referral:
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if refusal := step_back_refused(locked):
        raise ReferralError(refusal)
    to, cleared = BACK[locked.stage]
    return _step(locked, to=to, allowed_from=(locked.stage,), by=by, note=reason, **cleared)


# A referral closed by mistake (the wrong candidate refused, a file withdrawn by a wrong tap; stages NOT_ADMITTED
# and WITHDRAWN) is opened again on the day it was closed, at the stage it was closed from, its course and cell
# meeting kept.


def closed_today(events, stage: str):
    """The step among a referral's ``events`` that closed it at ``stage`` (the latest), if it was recorded today
    from an open stage; else None."""
    event = max((e for e in events if e.to_stage == stage), key=lambda e: (e.at, e.pk), default=None)
    if event is None or timezone.localdate(event.at) != timezone.localdate() or event.from_stage not in Stage.OPEN:
        return None
    return event


def reopen_refused(referral: Referral, stage: str) -> str | None:
    """Why ``referral``, closed at ``stage``, may not be opened again, or None."""
    if referral.stage != stage:
        return _("Hồ sơ này không ở bước “%(stage)s”.") % {"stage": Stage(stage).label}
    if closed_today(referral.events.all(), stage) is None:
        return _(
            "Chỉ mở lại được hồ sơ trong ngày đã ghi nhận “%(stage)s”. Hồ sơ đóng từ những ngày trước được giữ "
            "nguyên; nếu thanh niên vẫn muốn vào Đoàn, Hội, hãy ghi nhận một hồ sơ giới thiệu mới."
        ) % {"stage": Stage(stage).label}
    if referral.citizen_id and (
        other := Referral.objects.filter(citizen_id=referral.citizen_id, stage__in=Stage.OPEN)
        .exclude(pk=referral.pk)
        .select_related("cell")
        .first()
    ):
        return _(
            "Số CCCD %(id)s đã có một hồ sơ giới thiệu khác đang mở (%(cell)s), nên không mở lại được hồ sơ này."
        ) % {"id": referral.citizen_id, "cell": other.cell.name}
    return None


@transaction.atomic
def reopen(*, referral: Referral, stage: str, by, reason: str) -> Referral:
    """Open again a referral closed today at ``stage`` by mistake: back to the stage it was closed from."""
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if refusal := reopen_refused(locked, stage):
        raise ReferralError(refusal)
    back_to = closed_today(locked.events.all(), stage).from_stage
    return _step(locked, to=back_to, allowed_from=(stage,), by=by, note=reason, closing_reason="")
