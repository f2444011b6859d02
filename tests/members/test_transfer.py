from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from members import services
from members.models import Member, Status, StatusEvent, Transfer, months_after
from tests.factories import make_member, make_user
from unionapp.models import AuditEvent, Role


def test_a_transfer_within_the_scope_is_immediate(client, people, tree):
    member = make_member(tree.C1)
    client.force_login(people.officer)
    response = client.post(
        reverse("member_transfer", args=[member.pk]),
        {"to_cell_code": "c2", "date": "2026-11-01", "reason": "Chuyển nơi ở"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.cell == tree.C2
    event = StatusEvent.objects.get(member=member)
    assert (event.from_cell, event.to_cell) == (tree.C1, tree.C2)
    assert not Transfer.objects.exists()


def test_a_transfer_outside_the_scope_waits_for_the_destination(client, people, tree):
    member = make_member(tree.C1)
    client.force_login(people.secretary)
    client.post(
        reverse("member_transfer", args=[member.pk]), {"to_cell_code": "C3", "date": "2026-11-01", "reason": "Đi học"}
    )
    member.refresh_from_db()
    transfer = Transfer.objects.get(member=member)
    assert member.cell == tree.C1  # still counted in exactly one cell: the old one
    assert transfer.state == Transfer.State.PENDING
    # The destination's staff see it and accept it.
    receiver = make_user_for(tree.C3)
    client.force_login(receiver)
    page = client.get(reverse("transfer_list")).content.decode()
    assert member.full_name in page
    client.post(reverse("transfer_accept", args=[transfer.pk]))
    member.refresh_from_db()
    transfer.refresh_from_db()
    assert member.cell == tree.C3 and transfer.state == Transfer.State.ACCEPTED
    assert StatusEvent.objects.get(member=member).to_cell == tree.C3


def test_the_destination_can_refuse_with_a_reason(client, people, tree):
    member = make_member(tree.C1)
    transfer = services.request_transfer(
        member=member, to_cell=tree.C3, on=member.date_of_birth, reason="x", by=people.secretary
    )
    client.force_login(make_user_for(tree.C3))
    client.post(reverse("transfer_refuse", args=[transfer.pk]), {"refusal_reason": "Không có người này"})
    transfer.refresh_from_db()
    member.refresh_from_db()
    assert transfer.state == Transfer.State.REFUSED and member.cell == tree.C1


def test_a_transfer_is_accepted_only_once(people, tree):
    member = make_member(tree.C1)
    transfer = services.request_transfer(
        member=member, to_cell=tree.C3, on=member.date_of_birth, reason="x", by=people.secretary
    )
    services.decide_transfer(transfer=transfer, accept=True, by=people.province)
    try:
        services.decide_transfer(transfer=transfer, accept=True, by=people.province)
    except services.RegisterError as e:
        assert "đã được xử lý" in str(e)
    else:
        raise AssertionError("a second acceptance must be refused")
    assert StatusEvent.objects.filter(member=member).count() == 1


def test_the_sender_cannot_accept_its_own_request(client, people, tree):
    member = make_member(tree.C1)
    transfer = services.request_transfer(
        member=member, to_cell=tree.C3, on=member.date_of_birth, reason="x", by=people.secretary
    )
    client.force_login(people.secretary)
    assert client.post(reverse("transfer_accept", args=[transfer.pk])).status_code == 404
    assert Member.objects.get(pk=member.pk).cell == tree.C1


def test_an_unknown_destination_is_explained(client, people, tree):
    member = make_member(tree.C1)
    client.force_login(people.secretary)
    response = client.post(
        reverse("member_transfer", args=[member.pk]), {"to_cell_code": "KHONGCO", "date": "2026-11-01", "reason": "x"}
    )
    assert "Không tìm thấy chi đoàn có mã KHONGCO" in response.content.decode()


def make_user_for(cell):
    return make_user(role=Role.CELL_SECRETARY, unit=cell)


def test_the_destination_cell_page_says_a_member_waits_to_be_taken(client, people, tree):
    member = make_member(tree.C1)
    services.request_transfer(member=member, to_cell=tree.C3, on=member.date_of_birth, reason="x", by=people.secretary)
    client.force_login(make_user_for(tree.C3))
    page = client.get(reverse("unit_detail", args=[tree.C3.pk])).content.decode()
    assert "1 đoàn viên chuyển sinh hoạt đến đang chờ tiếp nhận." in page and reverse("transfer_list") in page
    client.force_login(people.secretary)  # the sender's cell: nothing to take
    assert "chờ tiếp nhận" not in client.get(reverse("unit_detail", args=[tree.C1.pk])).content.decode()


# Temporary transfers (sinh hoạt tạm thời): the member takes part elsewhere for a while, at most three months,
# and stays in, and is counted by, their own cell.


def running_stay(member, to_cell, by, *, days_ago, days_left):
    """A temporary transfer recorded and accepted, which began ``days_ago`` and has ``days_left``."""
    today = timezone.localdate()
    return services.request_transfer(
        member=member, to_cell=to_cell, on=today - timedelta(days=days_ago), until=today + timedelta(days=days_left),
        reason="x", by=by, accepted=True,
    )  # fmt: skip


def test_months_after_keeps_the_day_or_takes_the_months_last():
    assert months_after(date(2026, 1, 15), 3) == date(2026, 4, 15)
    assert months_after(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert months_after(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert months_after(date(2026, 10, 31), 2) == date(2026, 12, 31)


def test_a_temporary_stay_within_the_scope_runs_at_once_and_the_member_stays_home(client, people, tree):
    member = make_member(tree.C1)
    today = timezone.localdate()
    until = today + timedelta(days=30)
    client.force_login(people.officer)
    response = client.post(
        reverse("member_transfer", args=[member.pk]),
        {"to_cell_code": "C2", "date": f"{today:%d/%m/%Y}", "until": f"{until:%d/%m/%Y}", "reason": "Thực tập"},
        follow=True,
    )
    page = response.content.decode()
    assert f"Đã ghi nhận sinh hoạt tạm thời tại {tree.C2.name} đến ngày {until:%d/%m/%Y}." in page
    assert f"Sinh hoạt tạm thời tại {tree.C2.name} đến {until:%d/%m/%Y}" in page  # the badge on the member's page
    member.refresh_from_db()
    stay = Transfer.objects.get(member=member)
    assert member.cell == tree.C1 and not StatusEvent.objects.filter(member=member).exists()
    assert stay.state == Transfer.State.ACCEPTED and (stay.date, stay.until) == (today, until)
    assert f"Sinh hoạt tạm thời: {tree.C2} {today:%d/%m/%Y}–{until:%d/%m/%Y}" in page  # in the change log
    # The host cell's secretary sees who takes part there, and from where.
    client.force_login(make_user_for(tree.C2))
    hosted = client.get(reverse("transfer_list")).content.decode()
    assert member.full_name in hosted and f"Của {tree.C1.name}, sinh hoạt tại {tree.C2.name}" in hosted
    # The host cell's page lists them apart from its register; the own cell's register says where they are.
    host_page = client.get(reverse("unit_detail", args=[tree.C2.pk]))
    register, hosted = host_page.content.decode().split("Sinh hoạt tạm thời tại chi đoàn")
    assert member.full_name not in register and member.full_name in hosted
    assert member not in host_page.context["members"]
    client.force_login(people.officer)
    home = client.get(reverse("unit_detail", args=[tree.C1.pk])).content.decode()
    assert f"Tạm thời ở {tree.C2.name} đến {until:%d/%m/%Y}" in home


def test_the_cell_page_reads_its_stays_in_one_query(client, people, tree, django_assert_num_queries):
    for n in range(3):
        away, guest = make_member(tree.C1), make_member(tree.C2)
        running_stay(away, tree.C2, people.officer, days_ago=n, days_left=9)
        running_stay(guest, tree.C1, people.officer, days_ago=n, days_left=9)
    client.force_login(people.secretary)
    url = reverse("unit_detail", args=[tree.C1.pk])
    client.get(url)
    # session, user with their roles, unit, children, register, stays (however many), and the to-do box's three
    # (transfers waiting, candidates by stage, members without a 1+1 this year), a fourth from December to March
    # (members not yet rated); the breadcrumbs are the secretary's own cell: no query
    from django.utils import timezone

    from unionapp.todo import review_year

    with django_assert_num_queries(9 + (review_year(timezone.localdate()) is not None)):
        response = client.get(url)
    assert len(response.context["hosted"]) == 3
    assert sum(m.stay is not None for m in response.context["members"]) == 3


def test_a_temporary_stay_outside_the_scope_waits_and_accepting_it_moves_nobody(client, people, tree):
    member = make_member(tree.C1)
    today = timezone.localdate()
    client.force_login(people.secretary)
    response = client.post(
        reverse("member_transfer", args=[member.pk]),
        {"to_cell_code": "C3", "date": f"{today:%d/%m/%Y}", "until": f"{today + timedelta(days=60):%d/%m/%Y}",
         "reason": "Đi làm thời vụ"},
        follow=True,
    )  # fmt: skip
    assert "chờ chi đoàn đó tiếp nhận" in response.content.decode()
    stay = Transfer.objects.get(member=member)
    assert stay.state == Transfer.State.PENDING
    client.force_login(make_user_for(tree.C3))
    assert "Tạm thời, đến ngày" in client.get(reverse("transfer_list")).content.decode()
    response = client.post(reverse("transfer_accept", args=[stay.pk]), follow=True)
    assert "sinh hoạt tạm thời tại" in response.content.decode()
    member.refresh_from_db()
    stay.refresh_from_db()
    assert stay.state == Transfer.State.ACCEPTED and member.cell == tree.C1
    assert not StatusEvent.objects.filter(member=member).exists()


def test_a_stay_longer_than_three_months_is_refused_and_the_form_keeps_what_was_typed(client, people, tree):
    member = make_member(tree.C1)
    client.force_login(people.officer)
    response = client.post(
        reverse("member_transfer", args=[member.pk]),
        {"to_cell_code": "C2", "date": "15/01/2026", "until": "16/04/2026", "reason": "Thực tập dài"},
    )
    page = response.content.decode()
    assert "Sinh hoạt tạm thời tối đa 3 tháng: đến ngày 15/04/2026 là muộn nhất." in page
    assert "Thực tập dài" in page and "16/04/2026" in page
    assert not Transfer.objects.exists()
    response = client.post(
        reverse("member_transfer", args=[member.pk]),
        {"to_cell_code": "C2", "date": "15/01/2026", "until": "14/01/2026", "reason": "x"},
    )
    assert "Ngày kết thúc phải từ ngày chuyển trở đi." in response.content.decode()
    assert not Transfer.objects.exists()


def test_stays_may_not_overlap(people, tree):
    member = make_member(tree.C1)
    stay = {"member": member, "reason": "x", "by": people.officer, "accepted": True}
    services.request_transfer(to_cell=tree.C2, on=date(2026, 3, 1), until=date(2026, 4, 30), **stay)
    with pytest.raises(services.RegisterError, match="từ 01/03/2026 đến 30/04/2026, trùng thời gian này"):
        services.request_transfer(to_cell=tree.C3, on=date(2026, 4, 30), until=date(2026, 5, 30), **stay)
    services.request_transfer(to_cell=tree.C3, on=date(2026, 5, 1), until=date(2026, 5, 30), **stay)
    assert Transfer.objects.filter(member=member).count() == 2


def test_only_a_member_still_counted_can_go_on_a_stay(people, tree):
    member = make_member(tree.C1)
    services.change_status(member=member, to_status=Status.REMOVED, on=date(2026, 3, 1), reason="x", by=people.officer)
    with pytest.raises(services.RegisterError, match="không còn sinh hoạt"):
        services.request_transfer(
            member=member, to_cell=tree.C2, on=date(2026, 3, 2), until=date(2026, 4, 1), reason="x", by=people.officer
        )


def test_the_own_cell_ends_a_stay_early_once(client, people, tree):
    member = make_member(tree.C1)
    today = timezone.localdate()
    stay = running_stay(member, tree.C3, people.officer, days_ago=0, days_left=20)
    client.force_login(make_user_for(tree.C4))  # neither its cell nor its host
    assert client.post(reverse("stay_end", args=[stay.pk])).status_code == 404
    client.force_login(people.secretary)
    page = client.get(reverse("member_detail", args=[member.pk])).content.decode()
    assert reverse("stay_end", args=[stay.pk]) in page and "Kết thúc sớm (đã trở về)" in page
    response = client.post(reverse("stay_end", args=[stay.pk]), follow=True)
    assert f"{member.full_name} đã kết thúc sinh hoạt tạm thời." in response.content.decode()
    stay.refresh_from_db()
    assert stay.until == today  # ended the day it began: that day is its only one
    response = client.post(reverse("stay_end", args=[stay.pk]), follow=True)
    assert "Đợt sinh hoạt tạm thời này đã kết thúc." in response.content.decode()


def test_the_host_cell_records_that_a_guest_has_left(client, people, tree):
    member = make_member(tree.C1)
    today = timezone.localdate()
    stay = running_stay(member, tree.C3, people.officer, days_ago=10, days_left=20)
    host = make_user_for(tree.C3)
    client.force_login(host)
    for page, back in ((reverse("unit_detail", args=[tree.C3.pk]), "unit"), (reverse("transfer_list"), "transfers")):
        html = client.get(page).content.decode()
        assert reverse("stay_end", args=[stay.pk]) in html and f'name="back" value="{back}"' in html
        assert "Kết thúc sớm (đã rời đi)" in html
    response = client.post(reverse("stay_end", args=[stay.pk]), {"back": "unit"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("unit_detail", args=[tree.C3.pk])
    html = response.content.decode()
    assert f"{member.full_name} đã kết thúc sinh hoạt tạm thời." in html
    assert reverse("stay_end", args=[stay.pk]) not in html  # no longer hosted today
    stay.refresh_from_db()
    assert stay.until == today - timedelta(days=1)
    event = AuditEvent.objects.get(user=host, action=AuditEvent.Action.STATUS)
    assert event.changes["temporary_stay_until"][1] == f"{stay.until:%d/%m/%Y}"
    # The member's own cell sees the stay over: no button to end it again.
    client.force_login(people.secretary)
    assert (
        reverse("stay_end", args=[stay.pk])
        not in client.get(reverse("member_detail", args=[member.pk])).content.decode()
    )


def test_a_read_only_view_of_the_host_cell_offers_no_end(client, people, tree):
    stay = running_stay(make_member(tree.C1), tree.C3, people.officer, days_ago=1, days_left=20)
    client.force_login(make_user(role=Role.DISTRICT_STAFF, unit=tree.D2))  # sees the host cell, keeps no register
    html = client.get(reverse("unit_detail", args=[tree.C3.pk])).content.decode()
    assert stay.member.full_name in html and reverse("stay_end", args=[stay.pk]) not in html
    assert client.post(reverse("stay_end", args=[stay.pk])).status_code == 403


def test_a_member_back_today_was_away_until_yesterday(people, tree):
    member = make_member(tree.C1)
    today = timezone.localdate()
    stay = running_stay(member, tree.C3, people.officer, days_ago=10, days_left=20)
    assert list(Transfer.objects.stays_on(today)) == [stay] and stay.runs_on(today)  # the two rules agree
    services.end_stay(transfer=stay, on=today, by=people.officer)
    stay.refresh_from_db()
    assert stay.until == today - timedelta(days=1)
    assert not Transfer.objects.stays_on(today).exists() and not stay.runs_on(today)
    assert list(Transfer.objects.stays_on(stay.until)) == [stay] and stay.runs_on(stay.until)
    with pytest.raises(services.RegisterError, match="đã kết thúc"):
        services.end_stay(transfer=stay, on=today, by=people.officer)


def test_leaving_the_cell_ends_a_running_stay(people, tree):
    member = make_member(tree.C1)
    today = timezone.localdate()
    stay = running_stay(member, tree.C3, people.officer, days_ago=10, days_left=20)
    services.move_member(member=member, to_cell=tree.C2, on=today - timedelta(days=2), reason="x", by=people.officer)
    stay.refresh_from_db()
    assert stay.until == today - timedelta(days=2)
    assert not Transfer.objects.stays_on(today).exists()


def test_the_sender_withdraws_a_request_sent_to_the_wrong_cell(client, people, tree):
    member = make_member(tree.C1)
    wrong = services.request_transfer(
        member=member, to_cell=tree.C3, on=timezone.localdate(), reason="Nhầm mã", by=people.secretary
    )
    client.force_login(make_user_for(tree.C3))  # the other cell cannot withdraw it, only decide it
    assert client.post(reverse("transfer_withdraw", args=[wrong.pk])).status_code == 404
    client.force_login(people.secretary)
    page = client.get(reverse("member_detail", args=[member.pk])).content.decode()
    assert reverse("transfer_withdraw", args=[wrong.pk]) in page
    response = client.post(reverse("transfer_withdraw", args=[wrong.pk]), {"back": "member"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("member_detail", args=[member.pk])
    assert f"Đã rút lại yêu cầu chuyển {member.full_name} sang {tree.C3.name}." in response.content.decode()
    wrong.refresh_from_db()
    assert wrong.state == Transfer.State.WITHDRAWN
    # The receiver no longer sees it, and a new request can go to the right cell.
    client.force_login(make_user_for(tree.C3))
    assert member.full_name not in client.get(reverse("transfer_list")).content.decode()
    assert client.post(reverse("transfer_accept", args=[wrong.pk])).status_code == 302
    assert Transfer.objects.get(pk=wrong.pk).state == Transfer.State.WITHDRAWN
    services.request_transfer(member=member, to_cell=tree.C2, on=timezone.localdate(), reason="x", by=people.officer)
    with pytest.raises(services.RegisterError, match="đã được xử lý"):
        services.withdraw_transfer(transfer=wrong, by=people.secretary)


def test_an_expired_request_for_a_stay_cannot_be_accepted(people, tree):
    member = make_member(tree.C1)
    today = timezone.localdate()
    stay = services.request_transfer(
        member=member, to_cell=tree.C3, on=today - timedelta(days=40), until=today - timedelta(days=1), reason="x",
        by=people.secretary,
    )  # fmt: skip
    with pytest.raises(services.RegisterError, match="đã quá hạn"):
        services.decide_transfer(transfer=stay, accept=True, by=people.province)
    services.decide_transfer(transfer=stay, accept=False, by=people.province, refusal_reason="Quá hạn")
    assert Transfer.objects.get(pk=stay.pk).state == Transfer.State.REFUSED


def test_only_a_member_still_counted_changes_cells(client, people, tree):
    # One who has left the union stays in the register of the cell they left: no button, no form, no service.
    gone = make_member(tree.C1, full_name="Hà Văn Đã Xóa", joined_on=date(2020, 1, 1))
    services.change_status(member=gone, to_status=Status.REMOVED, on=date(2026, 6, 1), reason="x", by=people.officer)
    client.force_login(people.officer)
    url = reverse("member_transfer", args=[gone.pk])
    assert url not in client.get(reverse("member_detail", args=[gone.pk])).content.decode()
    for response in (client.get(url, follow=True), client.post(url, {"to_cell_code": "C2", "date": "01/11/2026",
                                                                      "reason": "x"}, follow=True)):  # fmt: skip
        assert (
            "Hà Văn Đã Xóa không còn sinh hoạt (Xóa tên), nên không chuyển sinh hoạt được." in response.content.decode()
        )
    for write in (services.move_member, services.request_transfer):
        with pytest.raises(services.RegisterError, match="không còn sinh hoạt"):
            write(member=gone, to_cell=tree.C2, on=date(2026, 11, 1), reason="x", by=people.officer)
    gone.refresh_from_db()
    assert gone.cell == tree.C1 and not Transfer.objects.exists()
    # Working away, a member is still counted, and may move.
    away = make_member(tree.C1, status=Status.AWAY)
    services.move_member(member=away, to_cell=tree.C2, on=date(2026, 11, 1), reason="x", by=people.officer)


def test_a_member_waiting_for_a_transfer_has_no_status_change_before_it_is_settled(client, people, tree):
    member = make_member(tree.C1, joined_on=date(2020, 1, 1))
    transfer = services.request_transfer(member=member, to_cell=tree.C3, on=date(2026, 11, 1), reason="x",
                                         by=people.secretary)  # fmt: skip
    with pytest.raises(services.RegisterError, match="Hãy rút lại yêu cầu đó"):
        services.change_status(member=member, to_status=Status.REMOVED, on=date(2026, 11, 2), reason="x",
                               by=people.secretary)  # fmt: skip
    # The status page sends the secretary back to the member's page, where the request and its "Rút lại" are.
    client.force_login(people.secretary)
    response = client.get(reverse("member_status", args=[member.pk]), follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("member_detail", args=[member.pk])
    assert "Hãy rút lại yêu cầu đó (hoặc chờ bên nhận xử lý) trước khi ghi nhận biến động." in body
    assert reverse("transfer_withdraw", args=[transfer.pk]) in body
    # A request older than this rule, for someone who has left since, is not accepted.
    Member.objects.filter(pk=member.pk).update(status=Status.MATURED)
    with pytest.raises(services.RegisterError, match="không còn sinh hoạt"):
        services.decide_transfer(transfer=transfer, accept=True, by=make_user_for(tree.C3))
    assert Member.objects.get(pk=member.pk).cell == tree.C1
    services.decide_transfer(
        transfer=transfer, accept=False, by=make_user_for(tree.C3), refusal_reason="Đã trưởng thành"
    )
