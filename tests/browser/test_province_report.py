import io
import re

import pytest
from openpyxl import load_workbook

from reports.models import Target
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def test_tinh_sets_targets_reads_the_report_drills_down_and_downloads_it(desktop, demo_data):
    page = desktop
    login(page, "tinh")
    page.get_by_role("link", name="Giao chỉ tiêu").click()
    for name, value in [
        ("Huyện đoàn Cao Lộc", "25"),
        ("Huyện đoàn Chi Lăng", "40"),
        ("Đoàn phường Lương Văn Tri", "30"),
        ("Đoàn phường Tam Thanh", "20"),
    ]:
        page.get_by_label(f"{name} — Kết nạp đoàn viên").fill(value)
    shot(page, "tinh-1-giao-chi-tieu")
    page.get_by_role("button", name="Lưu chỉ tiêu").click()
    assert page.get_by_text("Đã lưu chỉ tiêu năm").is_visible()
    year = Target.objects.get(unit__code="LS-CL", union=40).year
    assert Target.objects.get(unit__code="LS-CLO", year=year).union == 25

    page.get_by_role("link", name="Quay lại").click()
    page.get_by_role("link", name="Báo cáo chi tiết").click()
    table = page.get_by_test_id("report-table")
    chi_lang = table.locator("tr", has_text="Huyện đoàn Chi Lăng")
    assert chi_lang.locator("td").nth(8).inner_text() == "40"
    page_total = [c.inner_text() for c in page.get_by_test_id("total-row").locator("td").all()]
    shot(page, "tinh-2-bao-cao")

    chi_lang.get_by_role("link", name="Huyện đoàn Chi Lăng").click()
    page.get_by_role("link", name="Đoàn xã Quang Lang").click()
    page.get_by_role("link", name="Chi đoàn thôn Bản Trại").click()
    assert "Chi đoàn thôn Bản Trại" in page.locator("main").inner_text()
    assert page.get_by_role("columnheader", name="Đoàn viên", exact=True).is_visible()  # one row per member
    page.get_by_role("navigation", name="Đường dẫn").get_by_role("link", name="Tỉnh đoàn Lạng Sơn").click()
    assert [c.inner_text() for c in page.get_by_test_id("total-row").locator("td").all()] == page_total

    with page.expect_download() as info:
        page.get_by_test_id("export").click()
    download = info.value
    assert re.fullmatch(r"bao-cao-1\+1-LS-\d{4}\.xlsx", download.suggested_filename)
    with open(download.path(), "rb") as f:
        ws = load_workbook(io.BytesIO(f.read())).worksheets[0]
    total_row = next(r for r in range(12, ws.max_row + 1) if ws.cell(r, 2).value == "TỔNG CỘNG")
    excel = [ws.cell(total_row, c).value for c in range(3, 17)]

    def as_page(column, v):
        if column in (6, 11, 14) and v != "—":  # rates, one decimal
            return f"{v:.1f}".replace(".", ",")
        return f"{v:,}".replace(",", ".") if isinstance(v, int) else v

    assert [as_page(c, v) for c, v in enumerate(excel, start=3)] == page_total[2:]


def test_on_a_phone_the_reports_unit_column_stays_in_view_while_the_figures_scroll(phone, demo_data):
    """The table is wider than a phone: scrolled sideways to the admissions, each row still shows which unit
    it is, its name cell on top of the figures scrolled beneath it."""
    login(phone, "huyen")
    phone.get_by_role("link", name="Báo cáo chi tiết").click()
    box = phone.locator(".table-responsive")
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")  # it does scroll
    box.evaluate("e => { e.scrollLeft = 400; }")
    left = box.evaluate("e => e.getBoundingClientRect().left")
    names = phone.get_by_test_id("report-table").locator(".col-name").all()
    assert len(names) == 1 + 2 + 1  # the header, the district's two base unions, the total
    for name in names:
        rect = name.evaluate("e => { const r = e.getBoundingClientRect(); return [r.left, r.top + r.height / 2]; }")
        assert rect[0] == left
        # What the phone shows at the row's left edge is the name cell, not a figure scrolled beneath it.
        on_top = phone.evaluate("([x, y]) => document.elementFromPoint(x + 4, y).closest('th, td').className", rect)
        assert "col-name" in on_top
    assert phone.get_by_test_id("report-table").get_by_role("link", name="Đoàn xã Quang Lang").is_visible()
