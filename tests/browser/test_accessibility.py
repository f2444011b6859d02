"""Every page of every role under axe-core: no serious or critical violation, a title, labelled fields."""

from datetime import date
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from members.models import Member, Transfer
from referrals.models import Referral, Stage
from tests.browser.conftest import axe_violations, login
from tests.factories import make_member
from unionapp.models import Unit

pytestmark = pytest.mark.browser


def pages_of(username):
    cell = Unit.objects.get(code="LS-CL-QL-BT")
    base = Unit.objects.get(code="LS-CL-QL")
    member = Member.objects.filter(cell=cell).first()
    referral = Referral.objects.filter(cell=cell).first()
    open_referral = Referral.objects.filter(cell=cell, stage__in=Stage.OPEN).first()
    decided = Referral.objects.filter(cell__parent=base, stage=Stage.ADMITTED).first()
    secretary = User.objects.get(username="chidoan")
    guest = Transfer.objects.get(to_cell=cell).member  # on a temporary transfer to the secretary's cell
    common = ["/members/", "/referrals/", "/accounts/password/", "/help/"]
    return {
        "chidoan": [f"/units/{cell.pk}/", f"/members/{member.pk}/", "/members/new/", f"/members/{member.pk}/status/",
                    f"/members/{member.pk}/transfer/", "/referrals/new/", f"/referrals/{referral.pk}/",
                    f"/units/{cell.pk}/rating/", f"/units/{cell.pk}/pipeline/", "/import/", "/transfers/",
                    f"/units/{cell.pk}/matured/", f"/referrals/{open_referral.pk}/edit/"],
        "xa": [f"/units/{base.pk}/dashboard/", f"/units/{base.pk}/pipeline/", f"/units/{base.pk}/targets/",
               f"/units/{base.pk}/report/", f"/units/{base.pk}/pipeline/admit/", f"/units/{base.pk}/pipeline/training/",
               f"/units/{base.pk}/decision/edit/?number={quote(decided.decision_number)}"
               f"&date={decided.decision_date:%Y-%m-%d}&joins={decided.joins}", f"/units/{base.pk}/decisions/",
               f"/units/{base.pk}/ratings/", f"/units/{base.pk}/log/"],
        "huyen": [f"/units/{base.parent.pk}/dashboard/", f"/units/{base.parent.pk}/report/?period=q3&year=2026",
                  f"/units/{base.parent.pk}/dashboard/?year={timezone.localdate().year - 1}"],  # a year gone by
        "tinh": [f"/units/{base.parent.parent.pk}/dashboard/", f"/units/{base.parent.parent.pk}/targets/",
                 "/users/", "/users/new/", f"/users/{secretary.pk}/", f"/users/{secretary.pk}/password/",
                 f"/users/{secretary.pk}/lock/", f"/units/{base.pk}/", f"/units/{base.pk}/new/", f"/members/{guest.pk}/",
                 f"/units/{base.pk}/edit/", f"/units/{base.pk}/close/", "/units/import/"],
    }[username] + common  # fmt: skip


@pytest.fixture
def one_past_30(demo_data):
    """A member past 30 in the demo cell, so that its page shows the notice and the maturing-out list."""
    make_member(Unit.objects.get(code="LS-CL-QL-BT"), full_name="Nông Văn Quá", date_of_birth=date(1990, 1, 1))


@pytest.mark.parametrize("username", ["chidoan", "xa", "huyen", "tinh"])
def test_pages_have_no_serious_accessibility_violation(audited, one_past_30, username):
    login(audited, username)
    problems = {}
    for path in pages_of(username):
        audited.goto(path)
        assert audited.title().strip(), path
        found = axe_violations(audited)
        if found:
            problems[path] = found
    assert problems == {}


def test_the_login_page_is_accessible(audited, demo_data):
    audited.goto("/accounts/login/")
    assert axe_violations(audited) == []


WIDER_THAN_SCREEN = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.parametrize("username", ["chidoan", "xa", "huyen", "tinh"])
def test_pages_fit_a_narrow_phone_without_sideways_scrolling(narrow_phone, one_past_30, username):
    """On a 360 px phone no page scrolls sideways (wide report tables scroll inside their own box)."""
    narrow_phone.goto("/accounts/login/")
    too_wide = {"/accounts/login/": narrow_phone.evaluate(WIDER_THAN_SCREEN)}
    login(narrow_phone, username)
    narrow_phone.wait_for_url(lambda url: "/accounts/login/" not in url)
    for path in pages_of(username):
        narrow_phone.goto(path)
        too_wide[path] = narrow_phone.evaluate(WIDER_THAN_SCREEN)
    assert {path: px for path, px in too_wide.items() if px > 0} == {}


def test_the_target_grid_fits_a_phone_whole(phone, demo_data):
    """Base-union staff set their cells' targets on a phone: every column visible without scrolling the grid."""
    base = Unit.objects.get(code="LS-CL-QL")
    login(phone, "xa")
    phone.wait_for_url(lambda url: "/accounts/login/" not in url)
    phone.goto(f"/units/{base.pk}/targets/")
    box = phone.locator(".table-responsive")
    assert box.evaluate("el => el.scrollWidth - el.clientWidth") <= 0


def test_the_import_preview_is_accessible_with_its_notices(audited, demo_data, tmp_path):
    """The preview of an office's own file: the columns read and not read, another sheet, errors, then the rows."""
    from openpyxl import Workbook

    wb = Workbook()
    for row in (
        ["DANH SÁCH ĐOÀN VIÊN"],
        ["STT", "Họ tên", "Ngày sinh", "Nam/Nữ", "Quê quán"],
        [1, "Hoàng Văn Tú", "05/05/2004", "Nam", "Lạng Sơn"],
        [2, "NguyÔn V¨n An", "05/05/2004", "Nam", "Lạng Sơn"],
    ):
        wb.active.append(row)
    wb.create_sheet("Chi đoàn khác").append(["x"])
    path = tmp_path / "danh-sach.xlsx"
    wb.save(path)
    login(audited, "chidoan")
    audited.goto("/import/")
    audited.get_by_label("Tệp bảng tính (.xlsx, .xls, .ods; tối đa 10 MB)").set_input_files(str(path))
    audited.get_by_role("button", name="Kiểm tra tệp").click()
    audited.get_by_test_id("skipped-sheets").wait_for()
    assert audited.get_by_test_id("columns-unread").inner_text().endswith("Quê quán.")
    assert axe_violations(audited) == []
