"""An admission recorded by mistake is undone the same day: the referral goes back to the cell's review,
and the member it created leaves the register."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from members import services as register
from members.models import Member, Status
from referrals import services
from referrals.models import Joins, Referral, ReferralEvent, Stage
from reports import tally
from tests.factories import make_member, make_referral, make_user, reviewed_referral
from unionapp.models import AuditEvent, Role

DAY = date(2026, 6, 25)


def admitted(tree, people, **kwargs):
    r = reviewed_referral(tree.C1, people.secretary, **kwargs)
    return services.admit(referral=r, by=people.officer, decision_number="7-QĐ/ĐTN", decision_date=DAY)


def test_it_takes_the_admission_back_and_the_new_member_out_of_the_register(client, people, tree):
    r = admitted(tree, people, full_name="Lò Thị Nhầm")
    member_pk = r.member_id
    client.force_login(people.officer)
    page = client.get(reverse("referral_detail", args=[r.pk])).content.decode()
    step = reverse("referral_step", args=[r.pk, "unadmit"])
    assert f'href="{step}" data-testid="undo-admission">Hủy chuẩn y (ghi nhầm)' in page
    assert f'<a href="{reverse("unit_detail", args=[tree.C1.pk])}">Chi đoàn Một</a>' in page  # the breadcrumbs
    confirm = client.get(step).content.decode()
    assert "Lò Thị Nhầm bị xóa khỏi sổ đoàn viên của Chi đoàn Một" in confirm and "bỏ quyết định 7-QĐ/ĐTN" in confirm
    assert client.post(step, {"reason": ""}).status_code == 200  # a reason is asked for; nothing changes
    assert Member.objects.filter(pk=member_pk).exists()

    response = client.post(step, {"reason": "Tích nhầm người trong danh sách"}, follow=True)
    html = response.content.decode()
    assert "Đã cập nhật hồ sơ Lò Thị Nhầm: Hủy chuẩn y (ghi nhầm)." in html
    assert 'data-testid="admission-undone">chuẩn y đã hủy</span>' in html  # in the referral's steps
    r.refresh_from_db()
    assert (r.stage, r.decision_number, r.decision_date, r.admitted_cell, r.member) == (
        Stage.REVIEWED, "", None, None, None,
    )  # fmt: skip
    assert not Member.objects.filter(pk=member_pk).exists()
    last = ReferralEvent.objects.filter(referral=r).latest("at", "pk")
    assert (last.from_stage, last.to_stage, last.note) == (
        Stage.ADMITTED,
        Stage.REVIEWED,
        "Tích nhầm người trong danh sách",
    )
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, object_id=str(member_pk)).exists()
    assert tally.check() == []
    # It can then be admitted as it should have been.
    services.admit(referral=r, by=people.officer, decision_number="8-QĐ/ĐTN", decision_date=DAY)
    assert Referral.objects.get(pk=r.pk).member.full_name == "Lò Thị Nhầm"


def test_a_federation_admission_is_taken_back_too(client, people, tree):
    r = admitted(tree, people, joins=Joins.FEDERATION)
    client.force_login(people.officer)
    client.post(reverse("referral_step", args=[r.pk, "unadmit"]), {"reason": "Nhập hai lần"})
    r.refresh_from_db()
    assert r.stage == Stage.REVIEWED and r.decision_number == ""


def test_an_admission_recorded_before_today_stays(client, people, tree):
    r = admitted(tree, people)
    ReferralEvent.objects.filter(referral=r, to_stage=Stage.ADMITTED).update(at=r.events.last().at - timedelta(days=1))
    client.force_login(people.officer)
    assert "undo-admission" not in client.get(reverse("referral_detail", args=[r.pk])).content.decode()
    response = client.post(reverse("referral_step", args=[r.pk, "unadmit"]), {"reason": "x"}, follow=True)
    assert "Chỉ hủy được chuẩn y trong ngày đã ghi nhận." in response.content.decode()
    assert Referral.objects.get(pk=r.pk).stage == Stage.ADMITTED


def test_a_new_member_with_a_history_of_their_own_keeps_the_admission(client, people, tree):
    r = admitted(tree, people)
    register.change_status(member=r.member, to_status=Status.AWAY, on=DAY + timedelta(days=1), reason="x",
                           by=people.secretary)  # fmt: skip
    client.force_login(people.officer)
    response = client.post(reverse("referral_step", args=[r.pk, "unadmit"]), {"reason": "x"}, follow=True)
    assert "Không thể xóa hồ sơ đã có lịch sử." in response.content.decode()
    assert Referral.objects.get(pk=r.pk).member_id is not None


def test_only_approvers_within_the_scope_take_an_admission_back(client, people, tree):
    r = admitted(tree, people)
    step = reverse("referral_step", args=[r.pk, "unadmit"])
    client.force_login(people.secretary)  # the cell logs referrals, does not approve
    assert client.post(step, {"reason": "x"}).status_code == 403
    assert "undo-admission" not in client.get(reverse("referral_detail", args=[r.pk])).content.decode()
    client.force_login(make_user(role=Role.BASE_OFFICER, unit=tree.B2))  # another base union
    assert client.post(step, {"reason": "x"}).status_code == 404
    assert Referral.objects.get(pk=r.pk).stage == Stage.ADMITTED


def test_a_member_admitted_or_named_as_an_introducer_is_not_deleted_as_a_mistake(client, people, tree):
    r = admitted(tree, people, full_name="Vi Văn Mới")
    introducer = make_member(tree.C1, full_name="Hà Văn Giới")
    make_referral(tree.C1, people.secretary, introducer=introducer)
    client.force_login(people.secretary)
    for member in (r.member, introducer):
        assert "Xóa (nhập nhầm)" not in client.get(reverse("member_detail", args=[member.pk])).content.decode()
    response = client.post(reverse("member_delete", args=[r.member_id]), follow=True)
    assert "Không thể xóa: Vi Văn Mới được kết nạp theo quyết định 7-QĐ/ĐTN." in response.content.decode()
    response = client.get(reverse("member_delete", args=[introducer.pk]), follow=True)
    assert "Không thể xóa: Hà Văn Giới đã được ghi là người giới thiệu trong hồ sơ 1+1." in response.content.decode()
    assert Member.objects.filter(pk__in=[r.member_id, introducer.pk]).count() == 2


def test_an_admission_whose_decision_date_was_corrected_the_same_day_can_still_be_undone(client, people, tree):
    """Approve, correct the decision's date, then find a wrong name in the list: the new date is no life of the
    member's own. An edit of the member is, and an edit form opened before the correction is still refused."""
    r = admitted(tree, people, full_name="Lò Thị Sửa Ngày")
    stale_version = r.member.version
    services.correct_decision(referrals=[r], number="7-QĐ/ĐTN", day=DAY + timedelta(days=1), by=people.officer)
    member = Member.objects.get(pk=r.member_id)
    assert member.joined_on == DAY + timedelta(days=1)
    member.full_name = "Lò Thị Cũ Hơn"
    with pytest.raises(register.StaleEdit):
        register.save_member(member=member, by=people.secretary, expected_version=stale_version)
    assert services.undo_refused(Referral.objects.get(pk=r.pk)) is None
    client.force_login(people.officer)
    client.post(reverse("referral_step", args=[r.pk, "unadmit"]), {"reason": "Tích nhầm"})
    assert Referral.objects.get(pk=r.pk).stage == Stage.REVIEWED and not Member.objects.filter(pk=member.pk).exists()


def test_after_a_corrected_date_an_edit_of_the_member_still_keeps_the_admission(people, tree):
    r = admitted(tree, people)
    services.correct_decision(referrals=[r], number="7-QĐ/ĐTN", day=DAY + timedelta(days=1), by=people.officer)
    member = Member.objects.get(pk=r.member_id)
    member.phone = "0912345678"
    register.save_member(member=member, by=people.secretary, expected_version=member.version)
    assert "Không thể xóa hồ sơ đã có lịch sử." in services.undo_refused(Referral.objects.get(pk=r.pk))
