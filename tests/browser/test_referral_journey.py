import pytest
from playwright.sync_api import expect

from members import text
from members.models import Member, Status
from referrals.models import Referral, Stage
from tests.browser.conftest import PHONE, login, page_in, shot

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


def test_xa_approves_a_list_with_one_decision_on_a_phone(phone, demo_data):
    from datetime import date

    from django.contrib.auth.models import User

    from referrals import services
    from tests.factories import make_referral
    from unionapp.models import Unit

    base = Unit.objects.get(code="LS-CL-QL")
    officer = User.objects.get(username="xa")
    names = ["Lò Thị Một", "Lò Thị Hai", "Lò Thị Ba", "Lò Thị Muộn"]
    for name in names:
        late = name == "Lò Thị Muộn"  # her cell met in November: a June decision cannot admit her
        r = make_referral(Unit.objects.get(code="LS-CL-QL-BT"), officer, full_name=name,
                          introduced_on=date(2026, 9 if late else 3, 1))  # fmt: skip
        r = services.start_training(referral=r, by=officer, course_name="Lớp", start=r.introduced_on, end=None)
        day = date(2026, 11, 2) if late else date(2026, 5, 1)
        services.record_review(referral=r, by=officer, review_date=day, votes_for=9, votes_present=10)
    waiting = Referral.objects.filter(cell__parent=base, stage=Stage.REVIEWED, joins="union")
    # Whoever the demo has waiting too: those met after the decision's day are refused with her.
    late = set(waiting.filter(review_date__gt=date(2026, 6, 10)).values_list("full_name", flat=True))
    assert "Lò Thị Muộn" in late
    waiting = waiting.count()

    login(phone, "xa")
    phone.get_by_role("link", name="Tiến độ kết nạp").click()
    phone.get_by_test_id("many-admit").click()
    expect(phone.get_by_text(f"Đã chọn 0/{waiting}")).to_be_visible()
    phone.get_by_label("Chọn tất cả").check()
    expect(phone.get_by_text(f"Đã chọn {waiting}/{waiting}")).to_be_visible()
    phone.get_by_label("Lò Thị Ba").uncheck()  # not in this decision
    expect(phone.get_by_text(f"Đã chọn {waiting - 1}/{waiting}")).to_be_visible()
    phone.get_by_label("Số quyết định chuẩn y").fill("199-QĐ/ĐTN")
    phone.get_by_label("Ngày quyết định").fill("10/06/2026")
    shot(phone, "co-so-5-chuan-y-theo-danh-sach")
    # The page asks first, naming how many; "no" sends nothing and leaves the button usable.
    asked, answer = [], {"yes": False}

    def on_dialog(dialog):
        asked.append(dialog.message)
        dialog.accept() if answer["yes"] else dialog.dismiss()

    phone.on("dialog", on_dialog)
    button = phone.get_by_role("button", name="Chuẩn y kết nạp theo danh sách")
    button.click()
    assert asked == [
        f"Chuẩn y kết nạp {waiting - 1} người đã chọn theo quyết định này? Việc kết nạp chỉ hủy được trong ngày, từng hồ sơ một; sau đó chỉ sửa được số và ngày quyết định."
    ]
    expect(button).to_be_enabled()
    expect(phone.get_by_test_id("refused")).to_have_count(0)
    answer["yes"] = True
    button.click()
    # One of the list cannot be admitted by this decision, so nobody is: all or nothing.
    refused = phone.get_by_test_id("refused")
    for name in late:
        expect(refused).to_contain_text(name)
    expect(refused).to_contain_text("Ngày quyết định phải sau ngày chi đoàn họp xét (")
    expect(refused).to_contain_text("Trở lại bước trước (ghi nhầm)")  # and how to correct a wrong meeting date
    assert not Referral.objects.filter(full_name__in=names, stage=Stage.ADMITTED).exists()
    expect(phone.get_by_label("Số quyết định chuẩn y")).to_have_value("199-QĐ/ĐTN")  # nothing typed is lost
    for name in late:
        phone.get_by_label(name).uncheck()
    phone.get_by_role("button", name="Chuẩn y kết nạp theo danh sách").click()
    n = waiting - 1 - len(late)
    expect(phone.get_by_text(f"Đã chuẩn y kết nạp {n} người theo quyết định số 199-QĐ/ĐTN.")).to_be_visible()
    reviewed = phone.get_by_test_id("column-reviewed").inner_text()
    assert "Lò Thị Ba" in reviewed and "Lò Thị Muộn" in reviewed and "Lò Thị Một" not in reviewed
    admitted = Referral.objects.filter(full_name__in=names, stage=Stage.ADMITTED)
    assert set(admitted.values_list("full_name", "decision_number")) == {
        ("Lò Thị Một", "199-QĐ/ĐTN"),
        ("Lò Thị Hai", "199-QĐ/ĐTN"),
    }
    assert Referral.objects.filter(decision_number="199-QĐ/ĐTN").count() == n
    assert Member.objects.filter(full_name__in=names[:2], cell__code="LS-CL-QL-BT").count() == 2
