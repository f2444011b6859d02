"""The province office gives a new cell secretary an account from the cell's page; the secretary, on a
phone, logs in, must first choose their own password, then lands on their cell."""

import pytest

from tests.browser.conftest import PHONE, fill_account, login, page_in, shot
from unionapp.models import Unit

pytestmark = pytest.mark.browser

TEMPORARY = "Bac-Son-1940"
OWN = "Dong-Mo-2026"


def test_tinh_creates_an_account_and_the_secretary_sets_their_own_password(desktop, browser, live_server, demo_data):
    page = desktop
    login(page, "tinh")
    cell = Unit.objects.get(kind="cell", name="Chi đoàn thôn Đồng Mỏ")
    page.wait_for_url("**/dashboard/")
    page.goto(f"/units/{cell.pk}/")
    page.get_by_role("link", name="+ Tạo tài khoản").click()
    assert page.get_by_label("Đơn vị").input_value() == str(cell.pk)  # the cell it was opened from
    fill_account(page, "Hoàng Thị Lan", "bithu.dongmo", TEMPORARY)
    shot(page, "tinh-5-tao-tai-khoan")
    page.get_by_role("button", name="Tạo tài khoản").click()
    assert page.get_by_text("Đã tạo tài khoản bithu.dongmo").is_visible()
    assert page.get_by_test_id("assignments").inner_text().strip() == "Bí thư chi đoàn — Chi đoàn thôn Đồng Mỏ"

    with page_in(browser, live_server, **PHONE) as phone:
        login(phone, "bithu.dongmo", TEMPORARY)
        assert phone.get_by_text("Hãy đặt mật khẩu của riêng bạn để tiếp tục.").is_visible()
        phone.get_by_label("Mật khẩu cũ").fill(TEMPORARY)
        phone.locator("#id_new_password1").fill(OWN)
        phone.locator("#id_new_password2").fill(OWN)
        phone.get_by_role("button", name="Đổi mật khẩu").click()
        assert phone.get_by_role("heading", name="Chi đoàn thôn Đồng Mỏ").is_visible()

    page.reload()
    assert page.get_by_test_id("temporary-password").count() == 0
