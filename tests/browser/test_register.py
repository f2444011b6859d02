import pytest
from playwright.sync_api import expect

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
    phone.get_by_role("button", name="Lọc", exact=True).click()
    # On a phone the search and its results fill the screen; the other filters wait behind "Lọc thêm".
    expect(phone.get_by_role("link", name=member.full_name).first).to_be_in_viewport()
    expect(phone.get_by_label("Năm sinh")).to_be_hidden()
    phone.get_by_role("button", name="Lọc thêm").click()
    expect(phone.get_by_label("Năm sinh")).to_be_visible()
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
    # The wrong member, after all: undone the same day, with a reason, after a confirmation.
    phone.get_by_role("link", name="Hủy biến động (ghi nhầm)").click()
    phone.get_by_label("Lý do").fill("Chọn nhầm người")
    phone.get_by_role("button", name="Hủy biến động").click()
    expect(phone.get_by_test_id("status")).to_have_text("Đang sinh hoạt")
    assert "Đi làm công nhân ở Bắc Giang" not in phone.get_by_test_id("history").inner_text()
    member.refresh_from_db()
    assert member.status == Status.ACTIVE and not StatusEvent.objects.filter(member=member).exists()


def test_chidoan_sends_a_member_on_a_temporary_stay_and_ends_it_when_they_come_back(phone, demo_data):
    from datetime import timedelta

    from django.contrib.auth.models import User
    from django.utils import timezone

    from members import services
    from members.models import Transfer
    from tests.browser.conftest import shot
    from unionapp.models import Unit

    member = Member.objects.filter(cell__code="LS-CL-QL-BT", status=Status.ACTIVE).order_by("pk").first()
    host = Unit.objects.get(code="LS-CL-MS-NA")  # another commune's cell: it has to accept
    today = timezone.localdate()
    until = today + timedelta(days=45)
    login(phone, "chidoan")
    phone.wait_for_url("**/units/*/")
    phone.goto(f"/members/{member.pk}/")
    phone.get_by_role("link", name="Chuyển sinh hoạt").click()
    phone.get_by_label("Mã chi đoàn đến").fill(host.code.lower())
    phone.get_by_label("Ngày chuyển").fill(f"{today - timedelta(days=10):%d/%m/%Y}")
    phone.get_by_label("Sinh hoạt tạm thời đến ngày").fill(f"{until:%d/%m/%Y}")
    phone.get_by_label("Lý do").fill("Đi làm thời vụ ở Mai Sao")
    shot(phone, "bi-thu-7-sinh-hoat-tam-thoi")
    phone.get_by_role("button", name="Ghi nhận").click()
    assert phone.get_by_text(
        f"Đã gửi đề nghị sinh hoạt tạm thời tại {host.name} đến ngày {until:%d/%m/%Y}"
    ).is_visible()
    stay = Transfer.objects.get(member=member)
    services.decide_transfer(transfer=stay, accept=True, by=User.objects.get(username="tinh"))

    phone.reload()
    assert phone.get_by_test_id("stay-badge").inner_text() == f"Sinh hoạt tạm thời tại {host.name} đến {until:%d/%m/%Y}"
    # Ending it asks first; "no" changes nothing.
    asked, answer = [], {"yes": False}

    def on_dialog(dialog):
        asked.append(dialog.message)
        dialog.accept() if answer["yes"] else dialog.dismiss()

    phone.on("dialog", on_dialog)
    phone.get_by_role("button", name="Kết thúc sớm (đã trở về)").click()
    assert asked == [f"Ghi nhận {member.full_name} kết thúc sinh hoạt tạm thời hôm nay?"]
    stay.refresh_from_db()
    assert stay.until == until
    answer["yes"] = True
    phone.get_by_role("button", name="Kết thúc sớm (đã trở về)").click()
    phone.get_by_text(f"{member.full_name} đã kết thúc sinh hoạt tạm thời.").wait_for()
    stay.refresh_from_db()
    assert stay.until == today - timedelta(days=1) and phone.get_by_test_id("stay-badge").count() == 0
    member.refresh_from_db()
    assert member.cell.code == "LS-CL-QL-BT"
