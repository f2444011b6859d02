import pytest
from playwright.sync_api import expect

from members import text
from members.models import Member, Status
from referrals.models import Referral, Stage
from tests.browser.conftest import PHONE, login, page_in

pytestmark = pytest.mark.browser


def test_chidoan_logs_a_referral_on_a_phone_and_xa_approves_it(browser, live_server, phone, demo_data):
    referrer = Member.objects.filter(cell__code="LS-CL-QL-BT", status=Status.ACTIVE).order_by("sort_key").first()
    login(phone, "chidoan")
    phone.get_by_role("link", name="+ Ghi nhận giới thiệu").click()
    phone.locator("#introducer-search").fill(text.fold(referrer.full_name))
    expect(phone.locator("#id_introducer option")).to_have_count(2)  # blank + the one match
    phone.get_by_label("Họ và tên").fill("Lò Văn Tuấn")
    phone.get_by_label("Ngày sinh").fill("15/06/2008")
    phone.get_by_label("Nam", exact=True).check()
    phone.get_by_label("Số điện thoại").fill("0912 345 000")
    phone.get_by_label("Nơi học tập, làm việc").select_option(label="Trường học")
    phone.get_by_label("Tên trường / đơn vị").fill("THPT Chi Lăng")
    phone.get_by_role("button", name="Ghi nhận", exact=True).click()
    assert phone.get_by_text("Đã ghi nhận giới thiệu Lò Văn Tuấn.").is_visible()

    phone.get_by_role("link", name="Vào lớp bồi dưỡng").click()
    phone.get_by_role("button", name="Vào lớp bồi dưỡng").click()
    phone.get_by_role("link", name="Chi đoàn họp xét").click()
    phone.get_by_label("Số đoàn viên có mặt").fill("20")
    phone.get_by_label("Số tán thành").fill("19")
    phone.get_by_role("button", name="Chi đoàn họp xét").click()
    assert phone.get_by_test_id("stage").inner_text() == "Chi đoàn đã xét"
    referral = Referral.objects.get(full_name="Lò Văn Tuấn")
    assert referral.stage == Stage.REVIEWED and referral.introducer == referrer

    with page_in(browser, live_server, **PHONE) as officer:
        login(officer, "xa")
        officer.get_by_role("link", name="Tiến độ kết nạp").click()
        reviewed = officer.get_by_test_id("column-reviewed")
        assert "Lò Văn Tuấn" in reviewed.inner_text()
        card = reviewed.get_by_test_id("card").filter(has_text="Lò Văn Tuấn")
        card.get_by_role("link", name="Chuẩn y kết nạp").click()
        officer.get_by_label("Số quyết định chuẩn y").fill("25-QĐ/ĐTN")
        officer.get_by_role("button", name="Chuẩn y kết nạp").click()
        assert officer.get_by_text("Đã cập nhật hồ sơ Lò Văn Tuấn").is_visible()
        assert "Lò Văn Tuấn" not in officer.get_by_test_id("column-reviewed").inner_text()

    new_member = Member.objects.get(full_name="Lò Văn Tuấn")
    assert new_member.cell.code == "LS-CL-QL-BT" and new_member.admission.decision_number == "25-QĐ/ĐTN"
    phone.goto(f"/members/{referrer.pk}/")
    card = phone.get_by_test_id("one-plus-one")
    assert "Đã thực hiện 1+1" in card.inner_text()
    assert "Lò Văn Tuấn" in card.inner_text() and "Đã kết nạp" in card.inner_text()
    phone.goto("/members/?q=lo+van+tuan")
    assert phone.get_by_role("link", name="Lò Văn Tuấn").is_visible()
