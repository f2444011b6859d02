"""A referral closed by mistake (the wrong candidate refused, a file withdrawn by a wrong tap) is opened again the
same day, at the stage it was closed from, with its course and cell meeting kept. Later, the closing stands."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from referrals import services
from referrals.models import Referral, ReferralEvent, Stage
from reports import tally
from tests.factories import make_referral, reviewed_referral
from unionapp.models import AuditEvent


def test_a_refusal_recorded_by_mistake_is_undone_by_an_approver(client, people, tree):
    r = reviewed_referral(tree.C1, people.secretary, full_name="Lò Văn Nhầm")
    r = services.refuse(referral=r, by=people.officer, reason="Chưa đủ điều kiện")
    client.force_login(people.officer)
    step = reverse("referral_step", args=[r.pk, "unrefuse"])
    page = client.get(reverse("referral_detail", args=[r.pk])).content.decode()
    assert f'href="{step}" data-testid="reopen">Mở lại hồ sơ (ghi nhầm)' in page
    confirm = client.get(step).content.decode()
    assert "Hồ sơ trở lại bước “Chi đoàn đã xét”, bỏ lý do đã ghi (“Chưa đủ điều kiện”)" in confirm
    assert client.post(step, {"reason": ""}).status_code == 200  # a reason is asked for; nothing changes
    assert Referral.objects.get(pk=r.pk).stage == Stage.NOT_ADMITTED

    html = client.post(step, {"reason": "Bấm nhầm người"}, follow=True).content.decode()
    assert "Đã cập nhật hồ sơ Lò Văn Nhầm: Mở lại hồ sơ không kết nạp (ghi nhầm)." in html
    assert 'data-testid="reopened">mở lại sau “Không kết nạp”</span>' in html
    assert "Lý do: Chưa đủ điều kiện → —" in html  # in the trail: the reason dropped, shown as a dash
    r.refresh_from_db()
    assert (r.stage, r.closing_reason, r.course_name, r.votes_for) == (Stage.REVIEWED, "", "Lớp cảm tình Đoàn", 10)
    last = ReferralEvent.objects.filter(referral=r).latest("at", "pk")
    assert (last.from_stage, last.to_stage, last.note) == (Stage.NOT_ADMITTED, Stage.REVIEWED, "Bấm nhầm người")
    trail = AuditEvent.objects.filter(action=AuditEvent.Action.STEP, object_id=str(r.pk)).latest("at", "pk")
    assert trail.user == people.officer
    assert trail.changes["stage"] == ["Không kết nạp", "Chi đoàn đã xét"]
    assert trail.changes["closing_reason"] == ["Chưa đủ điều kiện", ""]
    assert tally.check() == []
    # It can then be approved, as it should have been.
    services.admit(referral=r, by=people.officer, decision_number="9-QĐ/ĐTN", decision_date=r.review_date)
    assert Referral.objects.get(pk=r.pk).member.full_name == "Lò Văn Nhầm"


@pytest.mark.parametrize("stage_before", [Stage.INTRODUCED, Stage.TRAINING])
def test_a_withdrawal_is_undone_by_the_cell_back_to_where_it_was(client, people, tree, stage_before):
    r = make_referral(tree.C1, people.secretary)
    if stage_before == Stage.TRAINING:
        r = services.start_training(
            referral=r, by=people.secretary, course_name="Lớp tháng 4", start=r.introduced_on, end=None
        )
    r = services.withdraw(referral=r, by=people.secretary, reason="Chuyển đi nơi khác")
    client.force_login(people.secretary)
    assert 'data-testid="reopen"' in client.get(reverse("referral_detail", args=[r.pk])).content.decode()
    client.post(reverse("referral_step", args=[r.pk, "unwithdraw"]), {"reason": "Rút nhầm hồ sơ"})
    r.refresh_from_db()
    assert (r.stage, r.closing_reason) == (stage_before, "")


def test_a_closing_from_an_earlier_day_stands(client, people, tree):
    r = services.withdraw(referral=make_referral(tree.C1, people.secretary), by=people.secretary, reason="x")
    ReferralEvent.objects.filter(referral=r).update(at=r.events.last().at - timedelta(days=1))
    client.force_login(people.secretary)
    assert 'data-testid="reopen"' not in client.get(reverse("referral_detail", args=[r.pk])).content.decode()
    response = client.post(reverse("referral_step", args=[r.pk, "unwithdraw"]), {"reason": "x"}, follow=True)
    assert "Chỉ mở lại được hồ sơ trong ngày đã ghi nhận “Rút hồ sơ”." in response.content.decode()
    assert Referral.objects.get(pk=r.pk).stage == Stage.WITHDRAWN


def test_each_closing_is_undone_by_those_who_may_close_that_way(client, people, tree):
    refused = services.refuse(referral=reviewed_referral(tree.C1, people.secretary), by=people.officer, reason="x")
    client.force_login(people.secretary)  # logs and withdraws referrals; approving and refusing are not theirs
    assert 'data-testid="reopen"' not in client.get(reverse("referral_detail", args=[refused.pk])).content.decode()
    assert client.post(reverse("referral_step", args=[refused.pk, "unrefuse"]), {"reason": "x"}).status_code == 403
    withdrawn = services.withdraw(referral=make_referral(tree.C1, people.secretary), by=people.secretary, reason="x")
    client.force_login(people.district)  # approves, but does not log referrals
    assert client.get(reverse("referral_step", args=[withdrawn.pk, "unwithdraw"])).status_code == 403
    # The district approves: it reopens a refusal in its district.
    client.post(reverse("referral_step", args=[refused.pk, "unrefuse"]), {"reason": "Nhầm"})
    assert Referral.objects.get(pk=refused.pk).stage == Stage.REVIEWED
    # The wrong step for the stage is refused with its reason, and changes nothing.
    client.force_login(people.officer)
    response = client.post(reverse("referral_step", args=[withdrawn.pk, "unrefuse"]), {"reason": "x"}, follow=True)
    assert "Hồ sơ này không ở bước “Không kết nạp”." in response.content.decode()
    assert Referral.objects.get(pk=withdrawn.pk).stage == Stage.WITHDRAWN


def test_it_is_not_reopened_when_the_citizen_id_has_an_open_referral_again(people, tree):
    r = services.withdraw(
        referral=make_referral(tree.C1, people.secretary, citizen_id="001207001234"), by=people.secretary, reason="x"
    )
    make_referral(tree.C2, people.officer, citizen_id="001207001234")  # logged again, elsewhere
    with pytest.raises(services.ReferralError, match="đã có một hồ sơ giới thiệu khác đang mở \\(Chi đoàn Hai\\)"):
        services.reopen(referral=r, stage=Stage.WITHDRAWN, by=people.secretary, reason="x")
    assert Referral.objects.get(pk=r.pk).stage == Stage.WITHDRAWN


def test_reopening_is_404_outside_the_scope(client, people, tree):
    r = services.withdraw(referral=make_referral(tree.C2, people.officer), by=people.officer, reason="x")
    client.force_login(people.secretary)  # C1's secretary; the referral is C2's
    assert client.get(reverse("referral_step", args=[r.pk, "unwithdraw"])).status_code == 404
    assert client.post(reverse("referral_step", args=[r.pk, "unwithdraw"]), {"reason": "x"}).status_code == 404
    assert Referral.objects.get(pk=r.pk).stage == Stage.WITHDRAWN


def test_a_cell_meeting_recorded_wrong_is_taken_back_and_recorded_again(client, people, tree):
    # The meeting was typed as 01/05 with 10/12 votes; the decision, dated 25/04, then could not follow it.
    r = reviewed_referral(tree.C1, people.secretary, full_name="Đinh Thị Sai")
    client.force_login(people.officer)  # found out when approving
    with pytest.raises(services.ReferralError, match="Ngày quyết định phải sau ngày chi đoàn họp xét \\(01/05/2026\\)"):
        services.admit(referral=r, by=people.officer, decision_number="5-QĐ/ĐTN", decision_date=date(2026, 4, 25))
    assert 'data-testid="step-back"' in client.get(reverse("referral_detail", args=[r.pk])).content.decode()
    step = reverse("referral_step", args=[r.pk, "back"])
    confirm = client.get(step).content.decode()
    assert "Hồ sơ trở lại bước “Đang bồi dưỡng”, bỏ kết quả chi đoàn họp xét (01/05/2026: 10/12 tán thành)" in confirm
    html = client.post(step, {"reason": "Gõ nhầm ngày họp"}, follow=True).content.decode()
    assert 'data-testid="stepped-back">trở lại bước trước</span>' in html
    r.refresh_from_db()
    assert (r.stage, r.review_date, r.votes_for, r.votes_present) == (Stage.TRAINING, None, None, None)
    assert r.course_name == "Lớp cảm tình Đoàn"  # the course stays
    assert tally.check() == []
    r = services.record_review(
        referral=r, by=people.secretary, review_date=date(2026, 4, 20), votes_for=11, votes_present=12
    )
    r = services.admit(referral=r, by=people.officer, decision_number="5-QĐ/ĐTN", decision_date=date(2026, 4, 25))
    assert r.stage == Stage.ADMITTED


def test_a_course_recorded_for_the_wrong_candidate_is_taken_back(client, people, tree):
    r = make_referral(tree.C1, people.secretary)
    r = services.start_training(
        referral=r, by=people.secretary, course_name="Lớp 4/2026", start=r.introduced_on, end=None
    )
    client.force_login(people.secretary)
    client.post(reverse("referral_step", args=[r.pk, "back"]), {"reason": "Tích nhầm trong danh sách lớp"})
    r.refresh_from_db()
    assert (r.stage, r.course_name, r.course_start, r.course_end) == (Stage.INTRODUCED, "", None, None)
    # There is no step before the first, and none once closed.
    response = client.post(reverse("referral_step", args=[r.pk, "back"]), {"reason": "x"}, follow=True)
    assert "Chỉ hồ sơ đang bồi dưỡng hoặc chi đoàn đã xét mới trở lại bước trước được." in response.content.decode()
    assert Referral.objects.get(pk=r.pk).stage == Stage.INTRODUCED


def test_the_district_which_does_not_log_referrals_cannot_take_a_step_back(client, people, tree):
    r = reviewed_referral(tree.C1, people.secretary)
    client.force_login(people.district)
    assert 'data-testid="step-back"' not in client.get(reverse("referral_detail", args=[r.pk])).content.decode()
    assert client.post(reverse("referral_step", args=[r.pk, "back"]), {"reason": "x"}).status_code == 403
    assert Referral.objects.get(pk=r.pk).stage == Stage.REVIEWED


def test_a_step_recorded_before_its_details_were_kept_is_taken_back_too(client, people, tree):
    # A referral loaded in training without its course (data from before the app): the page says what it does.
    r = make_referral(tree.C1, people.secretary)
    Referral.objects.filter(pk=r.pk).update(stage=Stage.TRAINING)
    client.force_login(people.secretary)
    confirm = client.get(reverse("referral_step", args=[r.pk, "back"])).content.decode()
    assert "Hồ sơ trở lại bước “Đã giới thiệu”. Sau đó ghi nhận lại bước này cho đúng." in confirm
    client.post(reverse("referral_step", args=[r.pk, "back"]), {"reason": "Nhập sai"})
    assert Referral.objects.get(pk=r.pk).stage == Stage.INTRODUCED
