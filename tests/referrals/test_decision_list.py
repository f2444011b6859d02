"""The list attached to an approval decision, as a Union document in Excel, from the board."""

import io
from datetime import date, datetime
from urllib.parse import quote

from django.urls import reverse
from openpyxl import load_workbook

from referrals import services
from referrals.models import Joins
from tests.factories import make_member, reviewed_referral
from tests.printing import printed_text
from unionapp import audit


def decide(by, number, day, *referrals):
    for r in referrals:
        services.admit(referral=r, by=by, decision_number=number, decision_date=day)


def list_url(unit, number, day, joins="union"):
    return f"{reverse('decision_list', args=[unit.pk])}?number={number}&date={day:%Y-%m-%d}&joins={joins}"


def test_the_board_lists_the_years_decisions_and_each_downloads_its_list(client, people, tree, in_2026):
    introducer = make_member(tree.C2, full_name="Vi Văn Giới")
    a = reviewed_referral(tree.C2, people.secretary, full_name="Hà Thị Bình", introducer=introducer)
    b = reviewed_referral(tree.C1, people.secretary, full_name="Lò Văn An", date_of_birth=date(2008, 2, 29))
    other = reviewed_referral(tree.C1, people.secretary, full_name="Người Khác")
    decide(people.officer, "21-QĐ/ĐTN", date(2026, 6, 10), a, b)
    decide(people.officer, "22-QĐ/ĐTN", date(2026, 7, 1), other)
    client.force_login(people.officer)
    board = client.get(reverse("pipeline_board", args=[tree.B1.pk])).content.decode()
    assert board.index("22-QĐ/ĐTN") < board.index("21-QĐ/ĐTN")  # newest first
    assert "10/06/2026 · Đoàn · 2 người" in board
    response = client.get(list_url(tree.B1, "21-QĐ/ĐTN", date(2026, 6, 10)))
    assert response.status_code == 200
    assert 'filename="danh-sach-ket-nap-21-qd-dtn-20260610.xlsx"' in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    assert (ws["A1"].value, ws["A2"].value, ws["D1"].value) == (
        "HUYỆN ĐOÀN MỘT",
        "BCH ĐOÀN XÃ MỘT",
        "ĐOÀN TNCS HỒ CHÍ MINH",
    )
    assert ws["A6"].value == "DANH SÁCH ĐOÀN VIÊN ĐƯỢC KẾT NẠP"
    assert ws["A7"].value == "(Kèm theo Quyết định số 21-QĐ/ĐTN ngày 10/06/2026 của BCH ĐOÀN XÃ MỘT)"
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=10, max_row=11)]
    assert [r[:4] for r in rows] == [  # by cell, Vietnamese order: Chi đoàn Hai, then Chi đoàn Một
        [1, "Hà Thị Bình", datetime(2007, 6, 1), "Nữ"],
        [2, "Lò Văn An", datetime(2008, 2, 29), "Nữ"],
    ]
    assert (rows[0][5], rows[1][5], rows[0][6]) == ("Chi đoàn Hai", "Chi đoàn Một", "Vi Văn Giới")
    assert ws["C10"].number_format == "dd/mm/yyyy"
    assert ws["A13"].value == "Danh sách có 2 người."
    assert [ws["D15"].value, ws["D16"].value] == ["TM. BAN CHẤP HÀNH", "BÍ THƯ"]
    assert audit.for_object(tree.B1).filter(action=audit.Action.EXPORT).count() == 1


def test_the_list_is_in_vietnamese_whatever_the_users_language(client, people, tree):
    r = reviewed_referral(tree.C1, people.secretary, full_name="Lò Văn An")
    decide(people.officer, "21-QĐ/ĐTN", date(2026, 6, 10), r)
    client.force_login(people.officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    ws = load_workbook(io.BytesIO(client.get(list_url(tree.B1, "21-QĐ/ĐTN", date(2026, 6, 10))).content)).active
    assert (ws["D10"].value, ws["E10"].value) == ("Nữ", "Trường học")


def test_a_federation_decision_lists_federation_members(client, people, tree):
    r = reviewed_referral(tree.C1, people.secretary, joins=Joins.FEDERATION)
    decide(people.officer, "3-QĐ/HLHTN", date(2026, 6, 1), r)
    client.force_login(people.officer)
    response = client.get(list_url(tree.B1, "3-QĐ/HLHTN", date(2026, 6, 1), joins="federation"))
    assert load_workbook(io.BytesIO(response.content)).active["A6"].value == "DANH SÁCH HỘI VIÊN ĐƯỢC KẾT NẠP"


def test_lists_outside_the_scope_or_that_do_not_exist_are_404(client, people, tree):
    r = reviewed_referral(tree.C3, people.admin)
    decide(people.admin, "9-QĐ/ĐTN", date(2026, 6, 1), r)
    mine = reviewed_referral(tree.C1, people.secretary)
    decide(people.officer, "9-QĐ/ĐTN", date(2026, 6, 1), mine)
    client.force_login(people.officer)
    assert client.get(list_url(tree.B2, "9-QĐ/ĐTN", date(2026, 6, 1))).status_code == 404
    for url in (
        list_url(tree.B1, "9-QĐ/ĐTN", date(2026, 6, 2)),  # no such decision here
        list_url(tree.B1, "9-QĐ/ĐTN", date(2026, 6, 1), joins="federation"),
        f"{reverse('decision_list', args=[tree.B1.pk])}?number=9&date=hôm-nay&joins=union",
    ):
        assert client.get(url).status_code == 404
    # The same number in another base union's subtree is not in this list.
    ws = load_workbook(io.BytesIO(client.get(list_url(tree.B1, "9-QĐ/ĐTN", date(2026, 6, 1))).content)).active
    assert ws["A11"].value is None and ws["B10"].value == mine.full_name
    client.force_login(people.secretary)  # keeps the register, does not approve
    assert client.get(list_url(tree.C1, "9-QĐ/ĐTN", date(2026, 6, 1))).status_code == 403
    assert "decisions" not in client.get(reverse("pipeline_board", args=[tree.C1.pk])).content.decode()


def edit_url(unit, number, day, joins="union"):
    return list_url(unit, number, day, joins).replace(
        reverse("decision_list", args=[unit.pk]), reverse("decision_edit", args=[unit.pk])
    )


def test_a_decision_number_and_date_are_corrected_on_everyone_it_admitted(client, people, tree, in_2026):
    from members.models import Member
    from reports import tally

    a = reviewed_referral(tree.C1, people.secretary, full_name="Lò Văn An")
    b = reviewed_referral(tree.C2, people.secretary, full_name="Hà Thị Bình")
    decide(people.officer, "21-QĐ/ĐTN", date(2026, 6, 10), a, b)
    a.refresh_from_db(), b.refresh_from_db()
    Member.objects.filter(pk=b.member_id).update(joined_on=date(2026, 6, 15))  # corrected by hand since
    client.force_login(people.officer)
    board = client.get(reverse("pipeline_board", args=[tree.B1.pk])).content.decode()
    assert edit_url(tree.B1, "21-QĐ/ĐTN", date(2026, 6, 10)).replace("&", "&amp;").split("?")[0] in board
    page = client.get(edit_url(tree.B1, "21-QĐ/ĐTN", date(2026, 6, 10))).content.decode()
    assert "Lò Văn An" in page and "Hà Thị Bình" in page and 'value="21-QĐ/ĐTN"' in page
    data = {"decision_number": "12-QĐ/ĐTN", "decision_date": "12/06/2026"}
    response = client.post(edit_url(tree.B1, "21-QĐ/ĐTN", date(2026, 6, 10)), data, follow=True)
    assert "Đã sửa quyết định: số 12-QĐ/ĐTN ngày 12/06/2026, 2 người." in response.content.decode()
    for r in (a, b):
        r.refresh_from_db()
        assert (r.decision_number, r.decision_date) == ("12-QĐ/ĐTN", date(2026, 6, 12))
    assert Member.objects.get(pk=a.member_id).joined_on == date(2026, 6, 12)  # joined on the decision's day
    assert Member.objects.get(pk=b.member_id).joined_on == date(2026, 6, 15)  # left as corrected by hand
    assert tally.check() == []
    assert audit.for_object(a).filter(action=audit.Action.CHANGE).get().changes["decision_number"] == [
        "21-QĐ/ĐTN",
        "12-QĐ/ĐTN",
    ]
    assert client.get(list_url(tree.B1, "21-QĐ/ĐTN", date(2026, 6, 10))).status_code == 404
    assert client.get(list_url(tree.B1, "12-QĐ/ĐTN", date(2026, 6, 12))).status_code == 200


def test_a_date_before_a_cell_meeting_or_in_the_future_changes_nothing(client, people, tree):
    r = reviewed_referral(tree.C1, people.secretary, full_name="Lò Văn An")  # the cell met on 01/05/2026
    decide(people.officer, "21-QĐ/ĐTN", date(2026, 6, 10), r)
    client.force_login(people.officer)
    url = edit_url(tree.B1, "21-QĐ/ĐTN", date(2026, 6, 10))
    page = client.post(url, {"decision_number": "21-QĐ/ĐTN", "decision_date": "20/04/2026"}).content.decode()
    assert "Lò Văn An: ngày quyết định phải sau ngày chi đoàn họp xét (01/05/2026)." in page
    page = client.post(url, {"decision_number": "21-QĐ/ĐTN", "decision_date": "01/01/2999"}).content.decode()
    assert "Ngày không được sau hôm nay." in page
    r.refresh_from_db()
    assert r.decision_date == date(2026, 6, 10) and r.member.joined_on == date(2026, 6, 10)


def test_a_date_after_the_new_members_first_status_change_changes_nothing(client, people, tree):
    from members import services as register
    from members.models import Status

    r = reviewed_referral(tree.C1, people.secretary, full_name="Lò Văn An")
    decide(people.officer, "21-QĐ/ĐTN", date(2026, 6, 10), r)
    r.refresh_from_db()
    register.change_status(member=r.member, to_status=Status.AWAY, on=date(2026, 7, 1), reason="x", by=people.officer)
    client.force_login(people.officer)
    url = edit_url(tree.B1, "21-QĐ/ĐTN", date(2026, 6, 10))
    page = client.post(url, {"decision_number": "21-QĐ/ĐTN", "decision_date": "15/07/2026"}).content.decode()
    assert "Lò Văn An: đã có biến động từ ngày 01/07/2026, trước ngày quyết định mới." in page
    r.refresh_from_db()
    assert r.decision_date == date(2026, 6, 10) and r.member.joined_on == date(2026, 6, 10)
    assert client.post(url, {"decision_number": "21-QĐ/ĐTN", "decision_date": "01/07/2026"}).status_code == 302


def test_correcting_a_decision_outside_the_scope_is_404_and_needs_the_right_to_approve(client, people, tree):
    r = reviewed_referral(tree.C3, people.admin)
    decide(people.admin, "9-QĐ/ĐTN", date(2026, 6, 1), r)
    client.force_login(people.officer)
    url = edit_url(tree.B1, "9-QĐ/ĐTN", date(2026, 6, 1))
    assert client.get(url).status_code == 404
    assert client.post(edit_url(tree.B2, "9-QĐ/ĐTN", date(2026, 6, 1)), {"decision_number": "X"}).status_code == 404
    client.force_login(people.secretary)
    assert client.get(edit_url(tree.C1, "9-QĐ/ĐTN", date(2026, 6, 1))).status_code == 403
    r.refresh_from_db()
    assert r.decision_number == "9-QĐ/ĐTN"


def test_libreoffice_prints_the_list_as_a_union_document(client, people, tree, tmp_path):
    r = reviewed_referral(tree.C1, people.secretary, full_name="Lò Văn An", date_of_birth=date(2008, 2, 29))
    decide(people.officer, "21-QĐ/ĐTN", date(2026, 6, 10), r)
    client.force_login(people.officer)
    text = printed_text(client.get(list_url(tree.B1, "21-QĐ/ĐTN", date(2026, 6, 10))).content, tmp_path)
    assert "DANH SÁCH ĐOÀN VIÊN ĐƯỢC KẾT NẠP" in text and "TM. BAN CHẤP HÀNH" in text
    row = next(line for line in text.splitlines() if "Lò Văn An" in line)
    assert "29/02/2008" in row and "Chi đoàn Một" in row


def test_every_decision_of_every_year_is_reachable_from_the_board(client, people, tree, monkeypatch, in_2026):
    """The board shows this year's newest decisions; the decisions page has all of them, year by year."""
    from referrals import views
    from tests.factories import make_referral

    monkeypatch.setattr(views, "DECISIONS_SHOWN", 1)
    last_year = make_referral(tree.C1, people.secretary, full_name="Người Năm Trước", introduced_on=date(2025, 9, 1))
    last_year = services.start_training(
        referral=last_year, by=people.secretary, course_name="Lớp", start=date(2025, 9, 5), end=None
    )
    services.record_review(
        referral=last_year, by=people.secretary, review_date=date(2025, 10, 1), votes_for=9, votes_present=10
    )
    decide(people.officer, "30-QĐ/ĐTN", date(2025, 12, 25), last_year)
    decide(people.officer, "21-QĐ/ĐTN", date(2026, 6, 10), reviewed_referral(tree.C1, people.secretary))
    decide(people.officer, "22-QĐ/ĐTN", date(2026, 7, 1), reviewed_referral(tree.C2, people.secretary))
    client.force_login(people.officer)

    board = client.get(reverse("pipeline_board", args=[tree.B1.pk])).content.decode()
    assert "22-QĐ/ĐTN" in board and "21-QĐ/ĐTN" not in board
    index = reverse("decision_index", args=[tree.B1.pk])
    assert (
        f'href="{index}" data-testid="all-decisions">Tất cả quyết định chuẩn y (ở đây là 1 quyết định gần nhất)'
        in board
    )

    page = client.get(index).content.decode()
    assert page.index("22-QĐ/ĐTN") < page.index("21-QĐ/ĐTN") and "30-QĐ/ĐTN" not in page
    number = quote("21-QĐ/ĐTN", safe="")
    assert f"{reverse('decision_list', args=[tree.B1.pk])}?number={number}&amp;date=2026-06-10&amp;joins=union" in page
    assert '<option value="2026" selected>2026</option><option value="2025">2025</option>' in page
    page = client.get(index, {"year": 2025}).content.decode()
    assert "30-QĐ/ĐTN" in page and "25/12/2025 · Đoàn · 1 người" in page and "22-QĐ/ĐTN" not in page
    assert "22-QĐ/ĐTN" in client.get(index, {"year": "x"}).content.decode()  # an unknown year: this year's
    cell = client.get(reverse("decision_index", args=[tree.C2.pk])).content.decode()  # a cell's: its own people
    assert "22-QĐ/ĐTN" in cell and "21-QĐ/ĐTN" not in cell


def test_the_decisions_page_is_for_the_units_that_approve_within_the_scope(client, people, tree):
    client.force_login(people.officer)
    assert client.get(reverse("decision_index", args=[tree.B2.pk])).status_code == 404  # another base union
    client.force_login(people.province)
    assert client.get(reverse("decision_index", args=[tree.D1.pk])).status_code == 404  # a district: no such page
    client.force_login(people.secretary)
    assert client.get(reverse("decision_index", args=[tree.C1.pk])).status_code == 403  # approving is not theirs
    client.force_login(people.district)
    page = client.get(reverse("decision_index", args=[tree.B1.pk])).content.decode()
    assert "Chưa có quyết định chuẩn y nào trong năm" in page


def test_decisions_of_one_day_are_listed_by_their_number_read_as_a_number(client, people, tree, in_2026):
    for number in ("9-QĐ/ĐTN", "12-QĐ/ĐTN", "10-QĐ/ĐTN"):
        decide(people.officer, number, date(2026, 6, 25), reviewed_referral(tree.C1, people.secretary))
    decide(people.officer, "8-QĐ/ĐTN", date(2026, 6, 26), reviewed_referral(tree.C2, people.secretary))
    client.force_login(people.officer)
    for url in (reverse("decision_index", args=[tree.B1.pk]), reverse("pipeline_board", args=[tree.B1.pk])):
        page = client.get(url).content.decode()
        order = sorted(("8-", "9-", "10-", "12-"), key=lambda n: page.index(f"<strong>{n}QĐ/ĐTN</strong>"))
        assert order == ["8-", "12-", "10-", "9-"], url  # newest first
