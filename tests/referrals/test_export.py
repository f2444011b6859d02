"""The referral list as a spreadsheet: the rows the list shows (scope and filters), every page of them."""

import io
from datetime import date, datetime

from django.urls import reverse
from openpyxl import load_workbook

from referrals import services
from tests.factories import make_member, make_referral
from unionapp import audit
from unionapp.models import AuditEvent


def sheet(response):
    data = b"".join(response.streaming_content)
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(data)).active.iter_rows()]


def test_the_spreadsheet_holds_the_filtered_rows_of_the_scope_without_citizen_ids(client, people, tree):
    introducer = make_member(tree.C1, full_name="Vi Văn Giới")
    r = make_referral(tree.C1, people.secretary, introducer=introducer, full_name="Lò Thị Học",
                      citizen_id="001203004005", phone="0912345678")  # fmt: skip
    services.start_training(referral=r, by=people.secretary, course_name="Lớp cảm tình Đoàn", start=date(2026, 4, 1),
                            end=None)  # fmt: skip
    make_referral(tree.C1, people.secretary, full_name="Chưa Học")
    make_referral(tree.C2, people.officer, full_name="Ở Chi Đoàn Khác")
    client.force_login(people.secretary)
    list_page = client.get(reverse("referral_list"), {"stage": "training"}).content.decode()
    assert f"{reverse('referral_export')}?stage=training" in list_page
    rows = sheet(client.get(reverse("referral_export"), {"stage": "training"}))
    assert rows[0][:4] == ["STT", "Họ và tên", "Ngày sinh", "Giới tính"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["Họ và tên"], row["Ngày sinh"], row["Giới tính"]) == ("Lò Thị Học", datetime(2007, 6, 1), "Nữ")
    assert (row["Người giới thiệu"], row["Chi đoàn"], row["Giai đoạn"]) == (
        "Vi Văn Giới",
        "Chi đoàn Một",
        "Đang bồi dưỡng",
    )
    assert (row["Lớp bồi dưỡng"], row["Từ ngày"]) == ("Lớp cảm tình Đoàn", datetime(2026, 4, 1))
    assert not any("001203004005" in str(v) for line in rows for v in line)
    everyone = [line[1] for line in sheet(client.get(reverse("referral_export")))[1:]]
    assert sorted(everyone) == ["Chưa Học", "Lò Thị Học"]  # not the other cell's
    assert AuditEvent.objects.filter(action=audit.Action.EXPORT, user=people.secretary).count() == 2


def test_the_spreadsheet_speaks_the_users_language(client, people, tree):
    make_referral(tree.C1, people.secretary)
    client.force_login(people.secretary)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    rows = sheet(client.get(reverse("referral_export")))
    assert rows[0][1] == "Full name" and rows[1][11] == "Introduced"
