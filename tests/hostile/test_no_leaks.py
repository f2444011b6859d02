"""With a second province's data present: lists, searches, autocomplete, duplicate messages, exports and
reports of the first province show nothing of it."""

import io
from datetime import date

from django.urls import reverse
from openpyxl import load_workbook

from members.models import Member
from tests.factories import make_member, make_referral, make_unit
from tests.members.test_excel import upload, xlsx
from tests.referrals.test_pages import referral_data
from unionapp.models import Kind


def other_province(people):
    p2 = make_unit(Kind.PROVINCE, name="Tỉnh đoàn Bí Mật", code="P2")
    cell = make_unit(
        Kind.CELL, make_unit(Kind.BASE, p2, name="Đoàn xã Bí Mật", code="B9"), name="Chi đoàn Bí Mật", code="C9"
    )
    m = make_member(cell, full_name="Nguyễn Văn Ngoài", citizen_id="009999000001", phone="0999000001",
                    date_of_birth=date(2001, 1, 1), joined_on=date(2020, 1, 1))  # fmt: skip
    make_referral(cell, people.admin, full_name="Trần Thị Ngoài", citizen_id="009999000002", introducer=m)
    return m


def test_lists_searches_and_autocomplete_stay_in_the_province(client, people, tree):
    other_province(people)
    make_member(tree.C1, full_name="Nguyễn Văn Trong")
    client.force_login(people.province)
    for url in (reverse("member_list") + "?q=nguyen", reverse("member_list") + "?q=0999000001",
                reverse("referral_list") + "?q=ngoai", reverse("introducer_search") + "?q=nguyen",
                reverse("member_list") + "?q=009999000001"):  # fmt: skip
        body = client.get(url).content.decode()
        assert "Ngoài" not in body and "Bí Mật" not in body, url


def test_duplicate_messages_name_no_unit_of_another_province(client, people, tree):
    other_province(people)
    client.force_login(people.province)
    data = {"cell": tree.C1.pk, "full_name": "Ai Đó", "date_of_birth": "01/01/2001", "gender": "M",
            "citizen_id": "009999000001"}  # fmt: skip
    body = client.post(reverse("member_create"), data).content.decode()
    assert "một đơn vị ở tỉnh khác" in body and "Bí Mật" not in body
    body = client.post(
        reverse("referral_create"), referral_data(tree.C1, make_member(tree.C1), citizen_id="009999000002")
    ).content.decode()
    assert "một đơn vị ở tỉnh khác" in body and "Bí Mật" not in body
    row = [1, "Ai Đó", "01/01/2001", "Nam", "", "", "009999000001", "", "", "", "", "", "", "C1"]
    preview = upload(client, tree.B1, xlsx([row]))
    assert "một đơn vị ở tỉnh khác" in preview.content.decode() and "Bí Mật" not in preview.content.decode()


def test_exports_and_reports_hold_only_the_province(client, people, tree):
    other_province(people)
    make_member(tree.C1, full_name="Nguyễn Văn Trong", joined_on=date(2020, 1, 1))
    client.force_login(people.province)
    response = client.get(reverse("register_export", args=[tree.P.pk]))
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = [r[1].value for r in ws.iter_rows(min_row=2)]
    assert names == ["Nguyễn Văn Trong"]
    report = client.get(reverse("report", args=[tree.P.pk])).context["report"]
    assert report.total.members_now == Member.objects.filter(tree.P.subtree_q("cell__")).count() == 1
    excel = client.get(reverse("report_xlsx", args=[tree.P.pk])).content
    sheets = load_workbook(io.BytesIO(excel))
    text = " ".join(str(c.value) for ws in sheets.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert "Bí Mật" not in text and "Ngoài" not in text
