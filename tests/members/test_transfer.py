from django.urls import reverse

from members import services
from members.models import Member, StatusEvent, Transfer
from tests.factories import make_member


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
    from tests.factories import make_user
    from unionapp.models import Role

    return make_user(role=Role.CELL_SECRETARY, unit=cell)


def test_the_destination_cell_page_says_a_member_waits_to_be_taken(client, people, tree):
    member = make_member(tree.C1)
    services.request_transfer(member=member, to_cell=tree.C3, on=member.date_of_birth, reason="x", by=people.secretary)
    client.force_login(make_user_for(tree.C3))
    page = client.get(reverse("unit_detail", args=[tree.C3.pk])).content.decode()
    assert "1 đoàn viên chuyển sinh hoạt đến đang chờ tiếp nhận." in page and reverse("transfer_list") in page
    client.force_login(people.secretary)  # the sender's cell: nothing to take
    assert "chờ tiếp nhận" not in client.get(reverse("unit_detail", args=[tree.C1.pk])).content.decode()
