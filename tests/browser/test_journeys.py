"""Each role's day, end to end in headless Chromium, checking what the user sees and what the
database then holds. None uses the admin. Screenshots for docs/user-guide.md are taken on the way."""

import io
from datetime import date

import pytest
from django.utils import timezone
from openpyxl import Workbook
from playwright.sync_api import expect

from members import services as member_services
from members.models import Member, Rating, YearRating
from referrals import services as referral_services
from referrals.models import Joins, Referral, Stage
from reports.periods import year_period
from reports.rollup import build_report
from tests.browser.conftest import login, shot
from unionapp.models import Unit

pytestmark = pytest.mark.browser


def open_menu(page):
    toggler = page.get_by_role("button", name="Mở menu")
    if toggler.is_visible():
        toggler.click()


def test_cell_secretary_on_a_phone(phone, demo_data):
    page = phone
    login(page, "chidoan")
    expect(page.locator("h1")).to_have_text("Chi đoàn thôn Bản Trại")
    shot(page, "bi-thu-1-chi-doan")

    # Add a member.
    page.get_by_role("link", name="+ Thêm đoàn viên").click()
    page.get_by_label("Họ và tên").fill("Hà Thị Thu Trang")
    page.get_by_label("Ngày sinh").fill("12/05/2004")
    page.get_by_label("Nữ").check()
    page.get_by_label("Số điện thoại").fill("0912 111 222")
    shot(page, "bi-thu-2-them-doan-vien")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_text("Đã thêm đoàn viên Hà Thị Thu Trang.")).to_be_visible()
    member = Member.objects.get(full_name="Hà Thị Thu Trang")
    assert member.phone == "0912111222" and member.cell.code == "LS-CL-QL-BT"

    # Find her again, typing without accents.
    open_menu(page)
    page.get_by_role("link", name="Đoàn viên", exact=True).click()
    page.get_by_label("Tìm kiếm").fill("ha thi thu trang")
    page.get_by_role("button", name="Lọc", exact=True).click()
    expect(page.get_by_role("link", name="Hà Thị Thu Trang")).to_be_visible()
    shot(page, "bi-thu-3-tim-kiem")

    # Two referrals by her: one into the union, one into the federation.
    page.get_by_role("link", name="Hà Thị Thu Trang").click()
    page.get_by_role("link", name="+ Ghi nhận người được giới thiệu").click()
    for name, joins, born in [
        ("Lò Văn Hùng", "Đoàn TNCS Hồ Chí Minh", "03/03/2008"),
        ("Lò Thị Mơ", "Hội LHTN Việt Nam", "04/04/2003"),
    ]:
        page.get_by_label(joins).check()
        page.get_by_label("Họ và tên").fill(name)
        page.get_by_label("Ngày sinh").fill(born)
        page.get_by_label("Nam" if "Hùng" in name else "Nữ", exact=True).check()
        page.get_by_label("Nơi học tập, làm việc").select_option(label="Địa bàn dân cư")
        if "Hùng" in name:
            shot(page, "bi-thu-4-ghi-nhan-gioi-thieu")
            page.get_by_role("button", name="Ghi nhận và thêm người khác").click()
            expect(page.get_by_text("Đã ghi nhận giới thiệu Lò Văn Hùng.")).to_be_visible()
            page.get_by_label("Hội LHTN Việt Nam").check()
            page.locator("#introducer-search").fill("ha thi thu trang")
            expect(page.locator("#id_introducer option")).to_have_count(2)
        else:
            page.get_by_role("button", name="Ghi nhận", exact=True).click()
    expect(page.get_by_text("Đã ghi nhận giới thiệu Lò Thị Mơ.")).to_be_visible()
    assert set(Referral.objects.filter(introducer=member).values_list("full_name", "joins")) == {
        ("Lò Văn Hùng", Joins.UNION),
        ("Lò Thị Mơ", Joins.FEDERATION),
    }

    # Move the union candidate through training and the cell's review.
    hung = Referral.objects.get(full_name="Lò Văn Hùng")
    page.goto(f"/referrals/{hung.pk}/")
    page.get_by_role("link", name="Vào lớp bồi dưỡng").click()
    page.get_by_role("button", name="Vào lớp bồi dưỡng").click()
    page.get_by_role("link", name="Chi đoàn họp xét").click()
    page.get_by_label("Số đoàn viên có mặt").fill("25")
    page.get_by_label("Số tán thành").fill("24")
    page.get_by_role("button", name="Chi đoàn họp xét").click()
    expect(page.get_by_test_id("stage")).to_have_text("Chi đoàn đã xét")
    shot(page, "bi-thu-5-ho-so-gioi-thieu")
    hung.refresh_from_db()
    assert hung.stage == Stage.REVIEWED and (hung.votes_for, hung.votes_present) == (24, 25)

    # Rate the whole cell for last year on one page.
    page.get_by_role("navigation", name="Đường dẫn").get_by_role("link", name="Chi đoàn thôn Bản Trại").click()
    page.get_by_role("link", name="Xếp loại đoàn viên").click()
    last_year = timezone.localdate().year - 1
    expect(page.locator("h1")).to_have_text(f"Xếp loại đoàn viên năm {last_year}")
    page.get_by_label("Hà Thị Thu Trang").select_option(label="Hoàn thành tốt nhiệm vụ")
    shot(page, "bi-thu-6-xep-loai")
    page.get_by_role("button", name="Lưu xếp loại cả chi đoàn").click()
    expect(page.get_by_text(f"Đã lưu xếp loại năm {last_year} của Chi đoàn thôn Bản Trại.")).to_be_visible()
    assert YearRating.objects.get(member=member, year=last_year).rating == Rating.GOOD


def reviewed(cell, name, by):
    r = Referral(cell=cell, full_name=name, date_of_birth=date(2007, 1, 1), gender="M", place_kind="other",
                 collective_kind="federation_branch", collective_name="Chi hội thôn", introduced_on=timezone.localdate())  # fmt: skip
    r = referral_services.log_referral(referral=r, by=by)
    r = referral_services.start_training(
        referral=r, by=by, course_name="Lớp cảm tình Đoàn", start=timezone.localdate(), end=None
    )
    return referral_services.record_review(
        referral=r, by=by, review_date=timezone.localdate(), votes_for=9, votes_present=10
    )


def test_base_union_officer_approves_refuses_and_accepts_a_transfer(desktop, demo_data):
    from django.contrib.auth.models import User

    tinh = User.objects.get(username="tinh")
    cell = Unit.objects.get(code="LS-CL-QL-DM")
    reviewed(cell, "Ứng Viên Được Duyệt", tinh)
    reviewed(cell, "Ứng Viên Chưa Đạt", tinh)
    mover = Member.objects.filter(
        cell__code="LS-CL-MS-NA", status="active"
    ).first()  # another commune: outside xa's scope
    member_services.request_transfer(
        member=mover, to_cell=cell, on=timezone.localdate(), reason="Chuyển về quê", by=tinh
    )

    page = desktop
    login(page, "xa")
    expect(page.locator("h1")).to_have_text("Đoàn xã Quang Lang")
    shot(page, "co-so-1-tong-quan")
    page.get_by_role("link", name="Tiến độ kết nạp").click()
    column = page.get_by_test_id("column-reviewed")
    expect(column).to_contain_text("Ứng Viên Được Duyệt")
    shot(page, "co-so-2-tien-do")

    column.get_by_test_id("card").filter(has_text="Ứng Viên Được Duyệt").get_by_role(
        "link", name="Chuẩn y kết nạp"
    ).click()
    page.get_by_label("Số quyết định chuẩn y").fill("30-QĐ/ĐTN")
    shot(page, "co-so-3-chuan-y")
    page.get_by_role("button", name="Chuẩn y kết nạp").click()
    expect(page.get_by_text("Đã cập nhật hồ sơ Ứng Viên Được Duyệt: Chuẩn y kết nạp.")).to_be_visible()

    page.get_by_test_id("column-reviewed").get_by_test_id("card").filter(has_text="Ứng Viên Chưa Đạt").get_by_role(
        "link", name="Không kết nạp"
    ).click()
    page.get_by_label("Lý do").fill("Chưa hoàn thành lớp bồi dưỡng")
    page.get_by_role("button", name="Không kết nạp").click()
    expect(page.get_by_test_id("column-reviewed")).not_to_contain_text("Ứng Viên")

    approved = Referral.objects.get(full_name="Ứng Viên Được Duyệt")
    assert approved.stage == Stage.ADMITTED and approved.member.cell == cell and approved.decision_number == "30-QĐ/ĐTN"
    refused = Referral.objects.get(full_name="Ứng Viên Chưa Đạt")
    assert (refused.stage, refused.closing_reason) == (Stage.NOT_ADMITTED, "Chưa hoàn thành lớp bồi dưỡng")

    page.get_by_role("link", name="Chuyển sinh hoạt").click()
    incoming = page.get_by_test_id("incoming-transfer").filter(has_text=mover.full_name)
    expect(incoming).to_contain_text("Chuyển về quê")
    shot(page, "co-so-4-chuyen-sinh-hoat")
    incoming.get_by_role("button", name="Tiếp nhận").click()
    expect(page.get_by_text(f"Đã tiếp nhận {mover.full_name} về {cell.name}.")).to_be_visible()
    mover.refresh_from_db()
    assert mover.cell == cell


def test_district_staff_follow_progress_and_drill_down(desktop, demo_data):
    page = desktop
    login(page, "huyen")
    district = Unit.objects.get(code="LS-CL")
    expect(page.locator("h1")).to_have_text("Huyện đoàn Chi Lăng")
    report = build_report(district, year_period(timezone.localdate().year))
    rows = page.get_by_test_id("progress-row")
    expect(rows).to_have_count(len(report.rows))
    for row in report.rows:
        line = rows.filter(has_text=row.label)
        f = row.figures
        expect(line).to_contain_text(f"{f.admitted_union} / {f.union_target if f.union_target is not None else '—'}")
        expect(line).to_contain_text("đúng tiến độ" if line.locator(".bg-success").count() else "chậm tiến độ")
    shot(page, "huyen-1-tong-quan")

    page.get_by_role("link", name="Báo cáo chi tiết").click()
    page.get_by_test_id("report-table").get_by_role("link", name="Đoàn xã Quang Lang").click()
    page.get_by_test_id("report-table").get_by_role("link", name="Chi đoàn thôn Bản Trại").click()
    expect(page.get_by_test_id("report-table")).to_contain_text("TỔNG CỘNG")
    shot(page, "huyen-2-bao-cao-chi-doan")

    page.get_by_label("Kỳ báo cáo", exact=True).select_option(label="Quý III")
    page.get_by_label("Năm", exact=True).fill("2026")
    page.get_by_role("button", name="Xem báo cáo").click()
    expect(page.get_by_test_id("period")).to_have_text("Quý III năm 2026")
    cell = Unit.objects.get(code="LS-CL-QL-BT")
    from reports.periods import period_from

    total = build_report(cell, period_from({"period": "q3", "year": "2026"})).total
    expect(page.get_by_test_id("total-row").locator("td").nth(9)).to_have_text(str(total.admitted_union))


def register_file(rows) -> bytes:
    from tests.members.test_excel import HEADER

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_provincial_office_imports_a_register_with_errors_then_fixed(desktop, demo_data, tmp_path):
    bad = tmp_path / "danh-sach-loi.xlsx"
    bad.write_bytes(register_file([
        [1, "Hoàng Văn Mới", "31/02/2004", "Nam", "Tày", "", "", "", "", "", "", "", "", "LS-LVT-K1"],
        [2, "Lục Thị Mai", "02/09/2005", "Nữ", "Nùng", "", "12345", "", "", "", "", "", "", "LS-LVT-K2"],
    ]))  # fmt: skip
    good = tmp_path / "danh-sach-da-sua.xlsx"
    good.write_bytes(register_file([
        [1, "Hoàng Văn Mới", "28/02/2004", "Nam", "Tày", "", "", "", "", "", "", "", "", "LS-LVT-K1"],
        [2, "Lục Thị Mai", "02/09/2005", "Nữ", "Nùng", "", "001305099999", "", "", "", "", "", "", "LS-LVT-K2"],
    ]))  # fmt: skip
    page = desktop
    login(page, "tinh")
    page.goto("/import/")
    page.get_by_label("Đơn vị nhận danh sách").select_option(label="Đoàn phường Lương Văn Tri (LS-LVT)")
    page.get_by_label("Tệp bảng tính (.xlsx, .xls, .ods; tối đa 10 MB)").set_input_files(str(bad))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("Có 2 lỗi. Chưa có gì được lưu")
    expect(page.locator("table")).to_contain_text("ngày không hợp lệ, cần dạng dd/mm/yyyy")
    expect(page.locator("table")).to_contain_text("số CCCD phải gồm đúng 12 chữ số")
    shot(page, "tinh-3-nhap-loi")
    assert not Member.objects.filter(full_name__in=["Hoàng Văn Mới", "Lục Thị Mai"]).exists()

    page.get_by_role("link", name="Tải tệp đã sửa").click()
    page.get_by_label("Đơn vị nhận danh sách").select_option(label="Đoàn phường Lương Văn Tri (LS-LVT)")
    page.get_by_label("Tệp bảng tính (.xlsx, .xls, .ods; tối đa 10 MB)").set_input_files(str(good))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_text("2 dòng hợp lệ sẽ được nhập")).to_be_visible()
    shot(page, "tinh-4-nhap-xem-truoc")
    page.get_by_role("button", name="Nhập vào sổ").click()
    expect(page.get_by_text("Đã nhập 2 đoàn viên vào Đoàn phường Lương Văn Tri.")).to_be_visible()
    mai = Member.objects.get(full_name="Lục Thị Mai")
    assert (mai.cell.code, mai.citizen_id, mai.ethnicity) == ("LS-LVT-K2", "001305099999", "Nùng")
    assert Member.objects.get(full_name="Hoàng Văn Mới").date_of_birth == date(2004, 2, 28)


def test_phone_layout_keeps_the_menu_reachable(phone, demo_data):
    login(phone, "huyen")
    open_menu(phone)
    expect(phone.get_by_role("link", name="Giới thiệu 1+1")).to_be_visible()


def test_leaving_a_half_filled_rating_page_asks_first(desktop, demo_data):
    page = desktop
    login(page, "chidoan")
    page.get_by_role("link", name="Xếp loại đoàn viên").click()
    first = page.locator("select[name^=m]").first
    first.select_option(label="Hoàn thành xuất sắc nhiệm vụ")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
    page.get_by_label("Năm").select_option(str(timezone.localdate().year))  # the year switch would reload the page
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert first.input_value() == "excellent"  # still on the page, the choice kept
