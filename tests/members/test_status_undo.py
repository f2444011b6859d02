"""A status change recorded by mistake (the wrong member tapped on a phone, a wrong date or status) is undone the
same day, after a confirmation with a reason: the member is back where they were, in the register and in the
reports, and the audit trail keeps what was undone. After that day, or for anything but the latest change, the
history stands and a mistake is corrected by a new dated event."""

from datetime import date, timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from members import services
from members.models import Member, Status, StatusEvent, Transfer
from reports.periods import year_period
from reports.rollup import build_report
from tests.factories import form_token, make_member
from unionapp.models import AuditEvent


def record(client, member, to_status, day, reason="Bỏ sinh hoạt"):
    response = client.post(
        reverse("member_status", args=[member.pk]),
        {"to_status": to_status, "date": f"{day:%d/%m/%Y}", "reason": reason},
    )
    assert response.status_code == 302, response.content.decode()


def members_now(cell) -> int:
    return build_report(cell, year_period(timezone.localdate().year)).total.members_now


def test_a_removal_recorded_by_mistake_is_undone_after_a_confirmation_with_a_reason(client, people, tree):
    today = timezone.localdate()
    member = make_member(tree.C1, joined_on=date(2020, 3, 26))
    client.force_login(people.secretary)
    record(client, member, Status.REMOVED, today)
    assert members_now(tree.C1) == 0
    page = client.get(member.get_absolute_url()).content.decode()
    assert 'data-testid="undo-status"' in page

    url = reverse("member_status_undo", args=[member.pk])
    confirm = client.get(url).content.decode()
    assert "Hủy biến động ghi nhầm?" in confirm and "Bỏ sinh hoạt" in confirm and "Đang sinh hoạt" in confirm
    member.refresh_from_db()
    assert member.status == Status.REMOVED  # nothing is undone by opening the page

    refused = client.post(url, {"reason": "  "}).content.decode()
    assert "Hãy ghi lý do." in refused
    assert StatusEvent.objects.filter(member=member).count() == 1

    response = client.post(url, {"reason": "Chọn nhầm người"})
    assert response["Location"] == member.get_absolute_url()
    assert "trở lại tình trạng “Đang sinh hoạt”" in str(list(get_messages(response.wsgi_request))[0])
    member.refresh_from_db()
    assert (member.status, member.left_on) == (Status.ACTIVE, None)
    assert not StatusEvent.objects.filter(member=member).exists()
    assert members_now(tree.C1) == 1  # the cell's figures count them again
    trail = AuditEvent.objects.filter(object_id=str(member.pk), action=AuditEvent.Action.STATUS).order_by("at", "pk")
    undone = trail.last()
    assert undone.user == people.secretary
    assert undone.changes["status"] == [Status.REMOVED, Status.ACTIVE]
    assert undone.changes["undone_event"] == f"{today:%d/%m/%Y}: Bỏ sinh hoạt"
    assert undone.changes["reason"] == "Chọn nhầm người"
    page = client.get(member.get_absolute_url()).content.decode()
    assert 'data-testid="undo-status"' not in page and "Chọn nhầm người" in page  # the trail, on the page


def test_undoing_a_return_puts_back_the_day_the_member_had_left(client, people, tree):
    today = timezone.localdate()
    left = today - timedelta(days=40)
    member = make_member(tree.C1, joined_on=date(2020, 3, 26))
    client.force_login(people.secretary)
    record(client, member, Status.AWAY, left - timedelta(days=10), reason="Đi làm xa")
    record(client, member, Status.REMOVED, left)
    StatusEvent.objects.filter(member=member).update(recorded_at=timezone.now() - timedelta(days=30))
    record(client, member, Status.ACTIVE, today, reason="Sinh hoạt trở lại")  # the wrong member
    client.post(reverse("member_status_undo", args=[member.pk]), {"reason": "Nhầm người"})
    member.refresh_from_db()
    assert (member.status, member.left_on) == (Status.REMOVED, left)
    assert members_now(tree.C1) == 0
    # Only the latest change, and only on its day: the earlier ones stand.
    response = client.post(reverse("member_status_undo", args=[member.pk]), {"reason": "Nhầm"})
    assert "Chỉ hủy được biến động trong ngày đã ghi nhận" in str(list(get_messages(response.wsgi_request))[-1])
    assert member.status_events.count() == 2
    assert 'data-testid="undo-status"' not in client.get(member.get_absolute_url()).content.decode()


def test_a_change_between_two_ways_of_having_left_keeps_the_day_they_left(client, people, tree):
    today = timezone.localdate()
    member = make_member(tree.C1, joined_on=date(2020, 3, 26))
    client.force_login(people.secretary)
    record(client, member, Status.REMOVED, today - timedelta(days=5))
    record(client, member, Status.EXPELLED, today, reason="Vi phạm kỷ luật")
    client.post(reverse("member_status_undo", args=[member.pk]), {"reason": "Nhầm tình trạng"})
    member.refresh_from_db()
    assert (member.status, member.left_on) == (Status.REMOVED, today - timedelta(days=5))


def test_a_change_recorded_on_an_earlier_day_is_not_undone(client, people, tree):
    member = make_member(tree.C1, joined_on=date(2020, 3, 26))
    client.force_login(people.secretary)
    record(client, member, Status.AWAY, timezone.localdate() - timedelta(days=1))
    StatusEvent.objects.filter(member=member).update(recorded_at=timezone.now() - timedelta(days=1))
    url = reverse("member_status_undo", args=[member.pk])
    assert client.get(url)["Location"] == member.get_absolute_url()
    client.post(url, {"reason": "Nhầm"})
    member.refresh_from_db()
    assert member.status == Status.AWAY and member.status_events.count() == 1


def test_a_move_a_waiting_transfer_or_an_ended_stay_is_not_undone_here(people, tree):
    today = timezone.localdate()
    moved = make_member(tree.C1, joined_on=date(2020, 3, 26))
    services.move_member(member=moved, to_cell=tree.C2, on=today, reason="Chuyển", by=people.officer)
    with pytest.raises(services.RegisterError, match="không phải thay đổi tình trạng"):
        services.undo_status(member=moved, by=people.officer, reason="x")

    waiting = make_member(tree.C1, joined_on=date(2020, 3, 26))
    services.change_status(member=waiting, to_status=Status.AWAY, on=today, reason="Đi làm xa", by=people.secretary)
    services.request_transfer(member=waiting, to_cell=tree.C3, on=today, reason="Chuyển", by=people.secretary)
    with pytest.raises(services.RegisterError, match="chờ tiếp nhận, ghi sau biến động này.*rồi mới hủy biến động"):
        services.undo_status(member=waiting, by=people.secretary, reason="x")

    # Leaving the union ends a temporary stay elsewhere; undoing the change cannot give the stay back its end.
    staying = make_member(tree.C1, joined_on=date(2020, 3, 26))
    services.request_transfer(
        member=staying, to_cell=tree.C2, on=today - timedelta(days=3), until=today + timedelta(days=30), reason="Đi học",
        by=people.officer, accepted=True,
    )  # fmt: skip
    assert Transfer.objects.get(member=staying).state == Transfer.State.ACCEPTED
    services.change_status(member=staying, to_status=Status.REMOVED, on=today, reason="x", by=people.secretary)
    with pytest.raises(services.RegisterError, match="sinh hoạt tạm thời"):
        services.undo_status(member=staying, by=people.secretary, reason="x")
    staying.refresh_from_db()
    assert staying.status == Status.REMOVED


def test_an_undo_sent_twice_leads_back_to_the_member(client, people, tree):
    member = make_member(tree.C1, joined_on=date(2020, 3, 26))
    client.force_login(people.secretary)
    record(client, member, Status.MATURED, timezone.localdate(), reason="Quá 30 tuổi")
    url = reverse("member_status_undo", args=[member.pk])
    data = {"reason": "Nhầm người", "submission": form_token(client.get(url))}
    first, again = client.post(url, data), client.post(url, data)
    assert first["Location"] == again["Location"] == member.get_absolute_url()
    assert "đã được thực hiện ở lần gửi trước" in str(list(get_messages(again.wsgi_request))[-1])
    assert Member.objects.get(pk=member.pk).status == Status.ACTIVE


def test_readers_cannot_undo(client, people, tree):
    member = make_member(tree.C1, joined_on=date(2020, 3, 26))
    services.change_status(
        member=member, to_status=Status.AWAY, on=timezone.localdate(), reason="Đi làm xa", by=people.secretary
    )
    client.force_login(people.district)  # reads the register of its district, edits nothing
    assert 'data-testid="undo-status"' not in client.get(member.get_absolute_url()).content.decode()
    assert client.post(reverse("member_status_undo", args=[member.pk]), {"reason": "x"}).status_code == 403
    assert Member.objects.get(pk=member.pk).status == Status.AWAY
