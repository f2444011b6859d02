"""A base union's officer, on a phone, is told on their dashboard that a cell has no secretary account, and gives
it one from the mark in the list of cells."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import fill_account, login, shot
from unionapp.models import Assignment, Role, Unit

pytestmark = pytest.mark.browser

TEMPORARY = "Cao-Loc-1948"


def test_xa_gives_a_cell_without_a_secretary_its_account(phone, demo_data):
    page = phone
    login(page, "xa")
    page.wait_for_url("**/dashboard/")
    todo = page.get_by_test_id("cells-without-secretary")
    expect(todo).to_contain_text("2 chi đoàn chưa có tài khoản bí thư.")
    todo.get_by_role("link", name="Xem các chi đoàn").click()
    cell = Unit.objects.get(kind="cell", name="Chi đoàn thôn Khòn Lạn")
    row = page.get_by_role("row").filter(has_text=cell.name)
    row.get_by_role("link", name="chưa có tài khoản bí thư").click()
    assert page.get_by_label("Đơn vị").input_value() == str(cell.pk)  # the cell it was opened from
    assert page.get_by_label("Vai trò").input_value() == Role.CELL_SECRETARY
    fill_account(page, "Nông Văn Tú", "bithu.khonlan", TEMPORARY)
    shot(page, "co-so-6-tai-khoan-bi-thu")
    page.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.get_by_text("Đã tạo tài khoản bithu.khonlan")).to_be_visible()
    assert Assignment.objects.filter(user__username="bithu.khonlan", unit=cell, role=Role.CELL_SECRETARY).exists()
    page.goto(f"/units/{cell.parent_id}/")
    expect(page.get_by_role("row").filter(has_text=cell.name)).not_to_contain_text("chưa có tài khoản bí thư")
