"""Writes to the register that touch more than one row: status events, transfers, ratings, deletion."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import F, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import MAX_STAY_MONTHS, Member, Status, StatusEvent, Transfer, YearRating, months_after
from reports import tally
from unionapp import audit
from unionapp.models import Unit

AUDITED = [f.name for f in Member._meta.concrete_fields if f.editable and f.name != "id"]
# The editable fields the reports' summary rows count (an edit of a phone number needs no recount).
TALLIED = ("joined_on", "party_introduced_on", "party_admitted_on")


class RegisterError(Exception):
    """A refused change, with a message for the user."""


class StaleEdit(RegisterError):
    pass


def save_member(*, member: Member, by, expected_version: int | None = None) -> Member:
    """Create, or update when ``expected_version`` matches the stored one (optimistic lock):
    an edit made from an older copy of the record is refused rather than silently overwriting."""
    member.refresh_derived()
    if member.pk is None:
        with transaction.atomic():
            member.save()
            tally.refresh([member.cell_id])
            audit.record(
                audit.Action.CREATE, by=by, obj=member, changes=audit.diff({}, audit.snapshot(member, AUDITED))
            )
        return member
    with transaction.atomic():
        before = audit.snapshot(Member.objects.get(pk=member.pk), AUDITED)
        fields = {
            f.attname: getattr(member, f.attname)
            for f in Member._meta.concrete_fields
            if f.editable and f.name not in ("id", "status", "cell")
        }
        fields.update(search_name=member.search_name, sort_key=member.sort_key, updated_at=timezone.now())
        updated = Member.objects.filter(pk=member.pk, version=expected_version).update(
            version=F("version") + 1, **fields
        )
        if not updated:
            raise StaleEdit(
                _(
                    "Hồ sơ này vừa được người khác sửa trong lúc bạn đang sửa. Hãy mở lại hồ sơ để xem bản mới rồi sửa lại."
                )
            )
        member.refresh_from_db()
        after = audit.snapshot(member, AUDITED)
        if any(before[name] != after[name] for name in TALLIED):
            tally.refresh([member.cell_id])
        audit.record(audit.Action.CHANGE, by=by, obj=member, changes=audit.diff(before, after))
    return member


def first_event_day(member: Member) -> date | None:
    """The date of the member's earliest status event: the join date may not move past it."""
    return member.status_events.aggregate(first=Min("date"))["first"]


def check_event_day(member: Member, on: date) -> None:
    """A member's history is read in date order: a new event (a status change, a move, a transfer) is dated no
    earlier than the member joined the union, nor than their latest event. A forgotten earlier event cannot be
    slipped in before later ones; the history would then contradict the member's current status."""
    if on > timezone.localdate():
        raise RegisterError(_("Ngày biến động không được sau hôm nay."))
    if member.joined_on and on < member.joined_on:
        raise RegisterError(
            _("Ngày biến động (%(day)s) không được trước ngày vào Đoàn (%(joined)s).")
            % {"day": f"{on:%d/%m/%Y}", "joined": f"{member.joined_on:%d/%m/%Y}"}
        )
    latest = member.status_events.aggregate(latest=Max("date"))["latest"]
    if latest and on < latest:
        raise RegisterError(
            _(
                "Ngày biến động (%(day)s) không được trước biến động gần nhất của đoàn viên (%(latest)s): lịch sử "
                "biến động được ghi theo thứ tự ngày."
            )
            % {"day": f"{on:%d/%m/%Y}", "latest": f"{latest:%d/%m/%Y}"}
        )


def move_refused(member: Member) -> str | None:
    """Why ``member`` may not change cells, or None: only a member still counted by their cell (active or working
    away) does; one who has left the union stays in the register of the cell they left."""
    if member.is_counted:
        return None
    return _(
        "%(name)s không còn sinh hoạt (%(status)s), nên không chuyển sinh hoạt được. Nếu đoàn viên sinh hoạt "
        "trở lại, hãy ghi nhận biến động trước."
    ) % {"name": member.full_name, "status": member.get_status_display()}


def check_still_counted(member: Member) -> None:
    if refusal := move_refused(member):
        raise RegisterError(refusal)


def status_change_refused(member: Member) -> str | None:
    """Why no status change may be recorded for ``member`` now, or None. A transfer waiting to be accepted is
    dated the day it was asked for: nothing may come between."""
    if Transfer.objects.filter(member=member, state=Transfer.State.PENDING).exists():
        return _(
            "Đoàn viên đang có một yêu cầu chuyển sinh hoạt chờ tiếp nhận. Hãy rút lại yêu cầu đó (hoặc chờ bên "
            "nhận xử lý) trước khi ghi nhận biến động."
        )
    return None


@transaction.atomic
def change_status(*, member: Member, to_status: str, on: date, reason: str, by) -> StatusEvent:
    """Record a dated status change; the member's status follows the event."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if to_status == member.status:
        raise RegisterError(_("Đoàn viên đã ở tình trạng này."))
    check_event_day(member, on)
    if refusal := status_change_refused(member):
        raise RegisterError(refusal)
    event = StatusEvent.objects.create(
        member=member, from_status=member.status, to_status=to_status, date=on, reason=reason, recorded_by=by
    )
    left_on = None if to_status in Status.COUNTED else (member.left_on if member.status not in Status.COUNTED else on)
    Member.objects.filter(pk=member.pk).update(
        status=to_status, left_on=left_on, updated_at=timezone.now(), version=F("version") + 1
    )
    if to_status not in Status.COUNTED:
        _cut_stays(member, on)
    tally.refresh([member.cell_id])
    audit.record(
        audit.Action.STATUS, by=by, obj=member, changes={"status": [member.status, to_status], "reason": reason}
    )
    return event


def status_undo_refused(member: Member) -> str | None:
    """Why the member's latest status change may not be undone, or None. Only a change recorded today (the wrong
    member tapped, a wrong date or status), and only the latest one: after that day it is the record, and a
    mistake is corrected by a new dated event."""
    event = member.status_events.first()  # the latest, in the history's order
    if event is None:
        return _("Đoàn viên chưa có biến động nào.")
    if event.to_cell_id or not event.from_status:
        return _("Biến động gần nhất không phải thay đổi tình trạng (ví dụ: chuyển sinh hoạt), nên không hủy được.")
    if timezone.localdate(event.recorded_at) != timezone.localdate():
        return _(
            "Chỉ hủy được biến động trong ngày đã ghi nhận. Biến động từ những ngày trước đã vào sổ; nếu có sai sót, "
            "hãy ghi nhận biến động mới."
        )
    if event.to_status != member.status:
        return _("Tình trạng của đoàn viên đã thay đổi sau biến động này, nên không hủy được.")
    if status_change_refused(member):  # a transfer asked for since: dated after this change
        return _(
            "Đoàn viên đang có một yêu cầu chuyển sinh hoạt chờ tiếp nhận, ghi sau biến động này. Hãy rút lại yêu "
            "cầu đó (hoặc chờ bên nhận xử lý) rồi mới hủy biến động."
        )
    if event.to_status not in Status.COUNTED and (
        Transfer.objects.filter(member=member, state=Transfer.State.ACCEPTED, until__gte=event.date).exists()
    ):
        return _(
            "Biến động này đã kết thúc đợt sinh hoạt tạm thời của đoàn viên, nên không hủy được. Hãy ghi nhận biến "
            "động mới."
        )
    return None


@transaction.atomic
def undo_status(*, member: Member, by, reason: str) -> StatusEvent:
    """Undo the latest status change, recorded today by mistake: the event goes, and the member is back where it
    found them (status, the day they stopped being counted); the audit trail keeps what was undone and why."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if refusal := status_undo_refused(member):
        raise RegisterError(refusal)
    event = member.status_events.first()
    if event.from_status in Status.COUNTED:
        left_on = None
    elif event.to_status not in Status.COUNTED:
        left_on = member.left_on  # moved between two ways of having left: the day they left is unchanged
    else:  # back from having left: the day they had left, as the history before this event tells
        left = member.status_events.exclude(pk=event.pk).filter(from_status__in=Status.COUNTED)
        left_on = left.exclude(to_status__in=Status.COUNTED).values_list("date", flat=True).first()
    event.delete()
    Member.objects.filter(pk=member.pk).update(
        status=event.from_status, left_on=left_on, updated_at=timezone.now(), version=F("version") + 1
    )
    tally.refresh([member.cell_id])
    audit.record(
        audit.Action.STATUS,
        by=by,
        obj=member,
        changes={
            "status": [event.to_status, event.from_status],
            "undone_event": f"{event.date:%d/%m/%Y}: {event.reason}",
            "reason": reason,
        },
    )
    return event


@transaction.atomic
def move_member(*, member: Member, to_cell: Unit, on: date, reason: str, by) -> StatusEvent:
    """Move a member to another cell at once (both cells in the user's scope)."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if to_cell.pk == member.cell_id:
        raise RegisterError(_("Đoàn viên đang sinh hoạt ở chi đoàn này."))
    if Transfer.objects.filter(member=member, state=Transfer.State.PENDING).exists():
        raise RegisterError(_("Đoàn viên đang có một yêu cầu chuyển sinh hoạt chờ tiếp nhận."))
    check_still_counted(member)
    check_event_day(member, on)
    event = StatusEvent.objects.create(
        member=member,
        from_status=member.status,
        to_status=member.status,
        date=on,
        reason=reason,
        from_cell_id=member.cell_id,
        to_cell=to_cell,
        recorded_by=by,
    )
    Member.objects.filter(pk=member.pk).update(cell=to_cell, updated_at=timezone.now(), version=F("version") + 1)
    _cut_stays(member, on)
    tally.refresh([member.cell_id, to_cell.pk])
    audit.record(
        audit.Action.CHANGE, by=by, obj=member, changes={"cell": [str(member.cell), str(to_cell)], "reason": reason}
    )
    return event


def request_transfer(
    *, member: Member, to_cell: Unit, on: date, reason: str, by, until: date | None = None, accepted: bool = False
) -> Transfer:
    """Ask the destination (outside the requester's scope) to take the member. Until it accepts,
    the member stays in, and is counted by, the old cell.

    With ``until`` the transfer is temporary (see ``Transfer``); ``accepted`` records one the requester may
    decide for both cells (both in their scope) as accepted at once."""
    if to_cell.pk == member.cell_id:
        raise RegisterError(_("Đoàn viên đang sinh hoạt ở chi đoàn này."))
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        if Transfer.objects.filter(member=member, state=Transfer.State.PENDING).exists():
            raise RegisterError(_("Đoàn viên đang có một yêu cầu chuyển sinh hoạt chờ tiếp nhận."))
        check_still_counted(member)
        check_event_day(member, on)
        if until is not None:
            check_stay(member, on, until)
        transfer = Transfer.objects.create(
            member=member,
            from_cell_id=member.cell_id,
            to_cell=to_cell,
            reason=reason,
            date=on,
            until=until,
            requested_by=by,
        )
        if accepted:
            transfer.state, transfer.decided_by, transfer.decided_at = Transfer.State.ACCEPTED, by, timezone.now()
            transfer.save(update_fields=["state", "decided_by", "decided_at"])
        change = {"transfer_requested": [None, str(to_cell)]}
        if until is not None:
            change = {"temporary_stay": [None, f"{to_cell} {on:%d/%m/%Y}–{until:%d/%m/%Y}"]}
        audit.record(audit.Action.STATUS, by=by, obj=member, changes=change)
        return transfer


def check_stay(member: Member, on: date, until: date) -> None:
    """The rules of a temporary transfer: a member still counted by their cell, at most MAX_STAY_MONTHS, and
    not overlapping another one."""
    if not member.is_counted:
        raise RegisterError(_("Chỉ đoàn viên đang sinh hoạt mới chuyển sinh hoạt tạm thời được."))
    if until < on:
        raise RegisterError(_("Ngày kết thúc phải từ ngày chuyển trở đi."))
    if until > months_after(on, MAX_STAY_MONTHS):
        raise RegisterError(
            _("Sinh hoạt tạm thời tối đa %(n)s tháng: đến ngày %(d)s là muộn nhất.")
            % {"n": MAX_STAY_MONTHS, "d": f"{months_after(on, MAX_STAY_MONTHS):%d/%m/%Y}"}
        )
    overlapping = (
        Transfer.objects.filter(member=member, state=Transfer.State.ACCEPTED, date__lte=until, until__gte=on)
        .select_related("to_cell")
        .first()
    )
    if overlapping is not None:
        raise RegisterError(
            _("Đoàn viên đã sinh hoạt tạm thời tại %(cell)s từ %(a)s đến %(b)s, trùng thời gian này.")
            % {
                "cell": overlapping.to_cell.name,
                "a": f"{overlapping.date:%d/%m/%Y}",
                "b": f"{overlapping.until:%d/%m/%Y}",
            }
        )


def _cut_stays(member: Member, on: date) -> None:
    """The member leaves their cell on ``on``: a temporary transfer running then (or later) ends with it."""
    running = Transfer.objects.filter(member=member, state=Transfer.State.ACCEPTED, until__gte=on)
    running.filter(date__lte=on).update(until=on)
    running.filter(date__gt=on).update(until=F("date"))


@transaction.atomic
def end_stay(*, transfer: Transfer, on: date, by) -> Transfer:
    """The member is back on ``on``: the temporary transfer's last day was the day before (or its first day,
    for one ended the day it began)."""
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if on < transfer.date:
        raise RegisterError(_("Ngày kết thúc phải từ ngày chuyển trở đi."))
    last = max(transfer.date, on - timedelta(days=1))
    if not transfer.is_temporary or transfer.state != Transfer.State.ACCEPTED or transfer.until <= last:
        raise RegisterError(_("Đợt sinh hoạt tạm thời này đã kết thúc."))
    planned = transfer.until
    transfer.until = last
    transfer.save(update_fields=["until"])
    audit.record(
        audit.Action.STATUS,
        by=by,
        obj=transfer.member,
        changes={"temporary_stay_until": [f"{planned:%d/%m/%Y}", f"{last:%d/%m/%Y}"]},
    )
    return transfer


@transaction.atomic
def decide_transfer(*, transfer: Transfer, accept: bool, by, refusal_reason: str = "") -> Transfer:
    """Accept or refuse a pending transfer, once: the row lock makes a second decision see the first."""
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.state != Transfer.State.PENDING:
        raise RegisterError(_("Yêu cầu chuyển sinh hoạt này đã được xử lý."))
    transfer.state = Transfer.State.ACCEPTED if accept else Transfer.State.REFUSED
    transfer.decided_by, transfer.decided_at, transfer.refusal_reason = by, timezone.now(), refusal_reason
    if accept and transfer.is_temporary and transfer.until < timezone.localdate():
        raise RegisterError(
            _("Đề nghị sinh hoạt tạm thời này đã quá hạn (đến ngày %(d)s): hãy từ chối.")
            % {"d": f"{transfer.until:%d/%m/%Y}"}
        )
    if accept and transfer.is_temporary:
        # Another stay may have been recorded for the same days since the request.
        check_stay(Member.objects.select_for_update().get(pk=transfer.member_id), transfer.date, transfer.until)
    transfer.save()
    if accept and not transfer.is_temporary:
        member = Member.objects.select_for_update().get(pk=transfer.member_id)
        check_still_counted(member)  # a request from before this rule, for someone who has since left
        StatusEvent.objects.create(
            member=member,
            from_status=member.status,
            to_status=member.status,
            date=transfer.date,
            reason=transfer.reason,
            from_cell_id=member.cell_id,
            to_cell_id=transfer.to_cell_id,
            recorded_by=by,
        )
        Member.objects.filter(pk=member.pk).update(
            cell_id=transfer.to_cell_id, updated_at=timezone.now(), version=F("version") + 1
        )
        _cut_stays(member, transfer.date)
        tally.refresh([member.cell_id, transfer.to_cell_id])
    audit.record(
        audit.Action.STATUS,
        by=by,
        obj=transfer.member,
        changes={"transfer": [transfer.get_state_display(), str(transfer.to_cell)], "reason": refusal_reason},
    )
    return transfer


@transaction.atomic
def withdraw_transfer(*, transfer: Transfer, by) -> Transfer:
    """The sender takes back a request not yet decided (a wrong cell, a change of plan)."""
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.state != Transfer.State.PENDING:
        raise RegisterError(_("Yêu cầu chuyển sinh hoạt này đã được xử lý."))
    transfer.state, transfer.decided_by, transfer.decided_at = Transfer.State.WITHDRAWN, by, timezone.now()
    transfer.save(update_fields=["state", "decided_by", "decided_at"])
    audit.record(
        audit.Action.STATUS,
        by=by,
        obj=transfer.member,
        changes={"transfer": [transfer.get_state_display(), str(transfer.to_cell)]},
    )
    return transfer


@transaction.atomic
def rate_cell(*, ratings: dict[int, str], year: int, by) -> int:
    """Save a year's ratings for many members at once (member id -> level); "" clears one. Each is recorded
    against the member's cell, which is rating them."""
    # The members' rows locked, in one order, before reading their ratings: a second save of the same page (a
    # double tap) waits for the first and then finds its ratings, instead of inserting them again.
    cells = dict(Member.objects.select_for_update().filter(pk__in=ratings).order_by("pk").values_list("pk", "cell_id"))
    existing = {r.member_id: r for r in YearRating.objects.filter(member_id__in=ratings, year=year)}
    to_create, to_update, to_delete = [], [], []
    for member_id, level in ratings.items():
        current = existing.get(member_id)
        if not level:
            if current:
                to_delete.append(current.pk)
        elif current is None:
            to_create.append(
                YearRating(member_id=member_id, cell_id=cells[member_id], year=year, rating=level, rated_by=by)
            )
        elif current.rating != level or current.cell_id != cells[member_id]:
            current.rating, current.cell_id = level, cells[member_id]
            current.rated_by, current.rated_at = by, timezone.now()
            to_update.append(current)
    YearRating.objects.bulk_create(to_create)
    YearRating.objects.bulk_update(to_update, ["rating", "cell", "rated_by", "rated_at"])
    YearRating.objects.filter(pk__in=to_delete).delete()
    n = len(to_create) + len(to_update) + len(to_delete)
    if n:
        rated_cells = set(cells.values())
        unit_id = rated_cells.pop() if len(rated_cells) == 1 else None  # a cell's page rates its own members
        audit.record(
            audit.Action.CHANGE, by=by, changes={"ratings": year, "rated": n}, scope=f"{year}", unit_id=unit_id
        )
    return n


def have_history(members) -> bool:
    """Whether any of ``members`` (a queryset) has a life in the register since it was entered: an edit, a status
    change, a rating or a transfer. Such records are kept: a mistake in them is corrected, not deleted. One
    query a kind, each on its own index (an import of 5.000 rows is checked at once)."""
    return (
        members.filter(version__gt=F("decision_corrections") + 1).exists()  # an edit (not a decision's new date)
        or members.filter(status_events__isnull=False).exists()
        or members.filter(ratings__isnull=False).exists()
        or members.filter(transfers__isnull=False).exists()
    )


def deletion_refused(member: Member, *, with_admission: bool = False) -> str | None:
    """Why ``member`` may not be deleted, or None: only a record entered by mistake today, with no history at
    all, may be. A member named as someone's introducer is linked to those referrals, which must not lose
    them; one admitted through a referral goes only with its admission (``with_admission``: undoing it)."""
    if timezone.localdate(member.created_at) != timezone.localdate() or have_history(
        Member.objects.filter(pk=member.pk)
    ):
        return _(
            "Không thể xóa hồ sơ đã có lịch sử. Hãy ghi nhận biến động (ví dụ: xóa tên, chuyển sinh hoạt) thay vì xóa."
        )
    if not with_admission and hasattr(member, "admission"):
        return _(
            "Không thể xóa: %(name)s được kết nạp theo quyết định %(number)s. Nếu chuẩn y nhầm, hãy mở hồ sơ "
            "giới thiệu của họ và bấm “Hủy chuẩn y (ghi nhầm)” trong ngày."
        ) % {"name": member.full_name, "number": member.admission.decision_number}
    if member.referrals.exists():
        return _(
            "Không thể xóa: %(name)s đã được ghi là người giới thiệu trong hồ sơ 1+1. Hãy sửa người giới thiệu "
            "của các hồ sơ đó trước."
        ) % {"name": member.full_name}
    return None


def deletable(member: Member) -> bool:
    return deletion_refused(member) is None


@transaction.atomic
def delete_member(*, member: Member, by=None, with_admission: bool = False) -> None:
    member = Member.objects.select_for_update().get(pk=member.pk)
    if refusal := deletion_refused(member, with_admission=with_admission):
        raise RegisterError(refusal)
    audit.record(audit.Action.DELETE, by=by, obj=member, changes=audit.diff({}, audit.snapshot(member, AUDITED)))
    member.delete()
    tally.refresh([member.cell_id])
