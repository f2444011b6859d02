import pytest

from members import text
from members.models import Member, Status, StatusEvent
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_chidoan_finds_a_member_without_accents_and_records_a_status_change(phone, demo_data):
    member = Member.objects.filter(cell__code="LS-CL-QL-BT", status=Status.ACTIVE).order_by("pk").first()
    login(phone, "chidoan")
    phone.wait_for_url("**/units/*/")
    phone.get_by_role("link", name="Tìm đoàn viên").click()
    phone.get_by_label("Tìm kiếm").fill(text.fold(member.full_name))  # typed without accents
    phone.get_by_role("button", name="Lọc").click()
    phone.get_by_role("link", name=member.full_name).first.click()
    assert phone.locator("h1").inner_text() == member.full_name
    phone.get_by_role("link", name="Ghi nhận biến động").click()
    phone.get_by_label("Tình trạng mới").select_option(label="Đi làm ăn xa")
    phone.get_by_label("Lý do").fill("Đi làm công nhân ở Bắc Giang")
    phone.get_by_role("button", name="Ghi nhận").click()
    assert phone.get_by_text("Đã ghi nhận biến động.").is_visible()
    assert phone.get_by_test_id("status").inner_text() == "Đi làm ăn xa"
    assert "Đi làm công nhân ở Bắc Giang" in phone.get_by_test_id("history").inner_text()
    member.refresh_from_db()
    assert member.status == Status.AWAY
    assert StatusEvent.objects.get(member=member).reason == "Đi làm công nhân ở Bắc Giang"
