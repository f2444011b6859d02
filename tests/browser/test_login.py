import pytest

from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_chidoan_logs_in_on_a_phone_and_sees_their_cell(phone, demo_data):
    login(phone, "chidoan")
    phone.wait_for_url("**/units/*/")
    assert phone.locator("h1").inner_text() == "Chi đoàn thôn Bản Trại"
    total = int(phone.get_by_test_id("member-total").inner_text().replace(".", ""))
    assert total > 0


def test_a_wrong_password_is_explained_in_vietnamese(phone, demo_data):
    login(phone, "chidoan", "sai-mat-khau")
    assert phone.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng").is_visible()
