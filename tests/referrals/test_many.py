"""One course for a class of candidates, one approval decision for a list: all or nothing, scoped."""

from datetime import date

import pytest
from django.urls import reverse

from members.models import Member
from referrals import services
from referrals.models import Joins, Referral, Stage
from reports import tally
from tests.factories import form_token, make_referral, reviewed_referral


def many(step, unit, **query):
    url = reverse("pipeline_many", args=[unit.pk, step])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def admit_data(*referrals, number="21-QĐ/ĐTN", day="10/06/2026"):
    return {"referrals": [r.pk for r in referrals], "decision_number": number, "decision_date": day}


def test_one_decision_admits_the_ticked_candidates_of_several_cells(client, people, tree):
    a = reviewed_referral(tree.C1, people.secretary, full_name="Lò Văn An")
    b = reviewed_referral(tree.C2, people.officer, full_name="Hà Thị Bình")
    left = reviewed_referral(tree.C2, people.officer, full_name="Vi Thị Chưa")
    client.force_login(people.officer)
    page = client.get(many("admit", tree.B1)).content.decode()
    assert all(name in page for name in ("Lò Văn An", "Hà Thị Bình", "Vi Thị Chưa"))
    assert "10/12 tán thành" in page  # the cell meeting's result, for the approver to see
    response = client.post(many("admit", tree.B1), admit_data(a, b), follow=True)
    assert response.redirect_chain[-1][0] == reverse("pipeline_board", args=[tree.B1.pk])
    assert "Đã chuẩn y kết nạp 2 người theo quyết định số 21-QĐ/ĐTN." in response.content.decode()
    for r, cell in ((a, tree.C1), (b, tree.C2)):
        r.refresh_from_db()
        assert (r.stage, r.decision_number, r.decision_date) == (Stage.ADMITTED, "21-QĐ/ĐTN", date(2026, 6, 10))
        assert (r.member.cell, r.member.joined_on) == (cell, date(2026, 6, 10))
    left.refresh_from_db()
    assert left.stage == Stage.REVIEWED
    assert tally.check() == []  # the reports count both admissions


def test_one_refusal_writes_nothing_and_names_who_and_why(client, people, tree):
    fine = reviewed_referral(tree.C1, people.secretary, full_name="Lò Văn An")
    late = make_referral(tree.C2, people.officer, full_name="Hà Thị Muộn")
    late = services.start_training(referral=late, by=people.officer, course_name="x", start=date(2026, 4, 1), end=None)
    late = services.record_review(
        referral=late, by=people.officer, review_date=date(2026, 6, 20), votes_for=9, votes_present=10
    )
    client.force_login(people.officer)
    response = client.post(many("admit", tree.B1), admit_data(fine, late, day="10/06/2026"))
    assert response.status_code == 200
    refused = response.content.decode()
    assert "Chưa cập nhật hồ sơ nào" in refused
    assert "Hà Thị Muộn" in refused and "Ngày quyết định phải sau ngày chi đoàn họp xét (20/06/2026)." in refused
    # What was typed and ticked is still there to correct.
    assert 'value="21-QĐ/ĐTN"' in refused
    assert f'value="{fine.pk}" id="referrals-{fine.pk}" checked' in refused
    assert list(Referral.objects.filter(pk__in=[fine.pk, late.pk]).values_list("stage", flat=True)) == [
        Stage.REVIEWED,
        Stage.REVIEWED,
    ]
    assert not Member.objects.filter(full_name__in=["Lò Văn An", "Hà Thị Muộn"]).exists()
    assert tally.check() == []


def test_nothing_ticked_or_a_referral_from_elsewhere_is_refused_without_naming_it(client, people, tree):
    mine = reviewed_referral(tree.C1, people.secretary)
    elsewhere = reviewed_referral(tree.C3, people.admin, full_name="Người Ở Xã Khác")
    not_yet = make_referral(tree.C1, people.secretary)  # still at "introduced"
    client.force_login(people.officer)
    response = client.post(many("admit", tree.B1), admit_data())
    assert "Hãy chọn ít nhất một hồ sơ." in response.content.decode()
    for intruder in (elsewhere, not_yet):
        response = client.post(many("admit", tree.B1), admit_data(mine, intruder))
        page = response.content.decode()
        assert "Có hồ sơ đã chọn không còn ở bước này" in page
        assert "Người Ở Xã Khác" not in page and f'name="referrals" value="{intruder.pk}"' not in page
    assert Referral.objects.filter(stage=Stage.ADMITTED).count() == 0


def test_one_decision_is_for_the_union_or_for_the_federation(client, people, tree):
    union = reviewed_referral(tree.C1, people.secretary, full_name="Vào Đoàn")
    federation = reviewed_referral(tree.C1, people.secretary, full_name="Vào Hội", joins=Joins.FEDERATION)
    client.force_login(people.officer)
    page = client.get(many("admit", tree.B1)).content.decode()
    assert "Vào Đoàn" in page and "Vào Hội" not in page
    page = client.get(many("admit", tree.B1, joins="federation")).content.decode()
    assert "Vào Hội" in page and "Vào Đoàn" not in page
    response = client.post(many("admit", tree.B1, joins="federation"), admit_data(union, federation))
    assert "Có hồ sơ đã chọn không còn ở bước này" in response.content.decode()
    response = client.post(many("admit", tree.B1, joins="federation"), admit_data(federation))
    assert response.status_code == 302
    federation.refresh_from_db()
    assert federation.stage == Stage.ADMITTED and federation.member is None  # the Federation keeps no register here


def test_a_list_started_from_a_board_showing_one_cell_is_that_cells(client, people, tree):
    one = [reviewed_referral(tree.C1, people.secretary, full_name=f"Người Ở Một {i}") for i in (1, 2)]
    two = [reviewed_referral(tree.C2, people.officer, full_name=f"Người Ở Hai {i}") for i in (1, 2)]
    reviewed_referral(tree.C2, people.officer, full_name="Người Vào Hội", joins=Joins.FEDERATION)
    client.force_login(people.officer)
    board = client.get(reverse("pipeline_board", args=[tree.B1.pk]), {"cell": tree.C2.pk}).content.decode()
    url = many("admit", tree.B1, cell=tree.C2.pk)
    assert f'href="{url}"' in board
    page = client.get(url).content.decode()
    assert "Người Ở Hai 1" in page and "Người Ở Hai 2" in page and "Người Ở Một" not in page
    assert "Chi đoàn Hai" in page  # which cell the list is for
    assert f'href="?cell={tree.C2.pk}&amp;joins=federation"' in page  # the other tab keeps the cell
    board_of_two = reverse("pipeline_board", args=[tree.B1.pk]) + f"?cell={tree.C2.pk}"
    assert f'href="{board_of_two}">Hủy</a>' in page
    # A candidate of another cell is not on this list, even ticked by hand.
    response = client.post(url, admit_data(two[0], one[0]))
    assert "Có hồ sơ đã chọn không còn ở bước này" in response.content.decode()
    response = client.post(url, admit_data(*two))
    assert response.status_code == 302 and response["Location"] == board_of_two
    assert {r.full_name for r in Referral.objects.filter(stage=Stage.ADMITTED)} == {"Người Ở Hai 1", "Người Ở Hai 2"}
    # Without a cell the list is the whole base union's, as before.
    assert "Người Ở Một 1" in client.get(many("admit", tree.B1)).content.decode()


@pytest.mark.parametrize("step", ["training", "admit"])
@pytest.mark.parametrize("cell", ["C3", "C4", "B1", "x"])
def test_a_list_for_one_cell_takes_only_a_cell_of_its_board(client, people, tree, step, cell):
    """Another base union's cell (in or out of the user's scope), the unit itself, or nonsense: 404."""
    value = getattr(tree, cell).pk if cell != "x" else "x"
    for who in ("province", "officer"):
        client.force_login(getattr(people, who))
        assert client.get(many(step, tree.B1, cell=value)).status_code == 404
        assert client.post(many(step, tree.B1, cell=value), {}).status_code == 404


def test_a_secretary_puts_a_class_into_training_at_once(client, people, tree):
    first = make_referral(tree.C1, people.secretary, full_name="Học Viên Một")
    second = make_referral(tree.C1, people.secretary, full_name="Học Viên Hai")
    client.force_login(people.secretary)
    board = client.get(reverse("pipeline_board", args=[tree.C1.pk])).content.decode()
    assert many("training", tree.C1) in board and many("admit", tree.C1) not in board
    data = {
        "referrals": [first.pk, second.pk],
        "course_name": "Lớp cảm tình Đoàn khóa 3",
        "start": "02/04/2026",
        "end": "04/04/2026",
    }
    response = client.post(many("training", tree.C1), data, follow=True)
    assert "Đã ghi nhận 2 người vào “Lớp cảm tình Đoàn khóa 3”." in response.content.decode()
    for r in (first, second):
        r.refresh_from_db()
        assert (r.stage, r.course_name, r.course_start, r.course_end) == (
            Stage.TRAINING,
            "Lớp cảm tình Đoàn khóa 3",
            date(2026, 4, 2),
            date(2026, 4, 4),
        )
    # The secretary does not approve: that page is refused whatever the unit.
    assert client.get(many("admit", tree.C1)).status_code == 403
    assert client.get(many("admit", tree.C3)).status_code == 403


def test_district_staff_approve_a_base_unions_list(client, people, tree):
    r = reviewed_referral(tree.C1, people.secretary)
    client.force_login(people.district)
    assert client.post(many("admit", tree.B1), admit_data(r)).status_code == 302
    r.refresh_from_db()
    assert r.stage == Stage.ADMITTED
    assert client.get(many("training", tree.B1)).status_code == 403  # moving referrals is the cells' work


@pytest.mark.parametrize("step", ["training", "admit"])
def test_out_of_scope_units_other_levels_and_unknown_steps_are_404(client, people, tree, step):
    reviewed_referral(tree.C3, people.admin)
    client.force_login(people.officer)
    for unit in (tree.B2, tree.C3, tree.C4):  # another base union's, and cells of other base unions
        assert client.get(many(step, unit)).status_code == 404
        assert client.post(many(step, unit), {}).status_code == 404
    client.force_login(people.province)
    assert client.get(many(step, tree.D1)).status_code == 404  # a board is a cell's or a base union's
    assert client.get(reverse("pipeline_many", args=[tree.B1.pk, "review"])).status_code == 404


def test_the_page_reads_the_same_few_queries_for_a_long_list(client, people, tree, django_assert_max_num_queries):
    for i in range(12):
        reviewed_referral(tree.C1 if i % 2 else tree.C2, people.secretary)
    client.force_login(people.officer)
    with django_assert_max_num_queries(10):
        response = client.get(many("admit", tree.B1))
    assert response.content.decode().count('name="referrals"') == 12


def test_the_pages_in_english(client, people, tree):
    r = reviewed_referral(tree.C1, people.secretary)
    client.force_login(people.officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(many("admit", tree.B1)).content.decode()
    assert "Approve admissions from a list" in page and "Select all" in page
    # The titles of the steps are translated per request, not once when the code is loaded.
    page = client.get(reverse("referral_step", args=[r.pk, "admit"])).content.decode()
    assert "<title>Approve admission" in page and "Chuẩn y" not in page


def test_a_decision_number_or_course_name_of_blanks_and_control_characters_is_refused(client, people, tree):
    r = reviewed_referral(tree.C1, people.secretary)
    new = make_referral(tree.C1, people.secretary)
    client.force_login(people.officer)
    response = client.post(many("admit", tree.B1), admit_data(r, number="\x01 \x02"))
    assert "Trường này là bắt buộc." in response.content.decode()
    response = client.post(reverse("referral_step", args=[r.pk, "admit"]), admit_data(number="\x01"))
    assert "Trường này là bắt buộc." in response.content.decode()
    data = {"referrals": [new.pk], "course_name": "\x03", "start": "02/04/2026"}
    assert "Trường này là bắt buộc." in client.post(many("training", tree.B1), data).content.decode()
    r.refresh_from_db(), new.refresh_from_db()
    assert (r.stage, new.stage) == (Stage.REVIEWED, Stage.INTRODUCED)


def test_ids_no_database_can_hold_are_refused_not_a_server_error(client, people, tree):
    r = reviewed_referral(tree.C1, people.secretary)
    client.force_login(people.officer)
    for bad in (str(2**70), "-1", "1e3", "१२"):  # too large, negative, not an integer, digits of another script
        response = client.post(many("admit", tree.B1), {**admit_data(r), "referrals": [r.pk, bad]})
        assert response.status_code == 200 and "Có hồ sơ đã chọn không còn ở bước này" in response.content.decode()
    r.refresh_from_db()
    assert r.stage == Stage.REVIEWED


def test_a_list_sent_twice_is_approved_once_and_the_second_post_leads_to_the_board(client, people, tree):
    """The answer to "Chuẩn y" lost, the browser sends the list again: back to the board with a message, not
    "not a valid choice" for every name (they are admitted already), and one decision."""
    a = reviewed_referral(tree.C1, people.secretary, full_name="Lò Văn An")
    client.force_login(people.officer)
    data = {**admit_data(a), "submission": form_token(client.get(many("admit", tree.B1)))}
    first, again = client.post(many("admit", tree.B1), data), client.post(many("admit", tree.B1), data)
    assert first["Location"] == again["Location"] == reverse("pipeline_board", args=[tree.B1.pk])
    assert "đã được thực hiện ở lần gửi trước" in client.get(again["Location"]).content.decode()
    assert Member.objects.filter(full_name="Lò Văn An").count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_one_list_sent_twice_at_the_same_moment_leads_both_posts_to_the_board(people, tree):
    """The second post waits for the first one's row locks, then finds the candidates admitted: since the same
    form was saved, it is answered as a resend, not with a refusal for each name."""
    from django.test import Client

    from tests.concurrency import run_together

    a = reviewed_referral(tree.C1, people.secretary, full_name="Lò Văn An")
    b = reviewed_referral(tree.C2, people.secretary, full_name="Hà Thị Bình")
    clients = [Client(), Client()]
    for c in clients:
        c.force_login(people.officer)
    data = {**admit_data(a, b), "submission": "d" * 32}
    answers = run_together(*[lambda c=c: c.post(many("admit", tree.B1), data) for c in clients])
    assert [x.status_code for x in answers] == [302, 302], answers
    assert {x["Location"] for x in answers} == {reverse("pipeline_board", args=[tree.B1.pk])}
    assert Member.objects.filter(full_name__in=["Lò Văn An", "Hà Thị Bình"]).count() == 2
