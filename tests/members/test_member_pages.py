from datetime import date

import pytest
from django.urls import reverse

from members import services
from members.models import Member, Status, StatusEvent
from tests.factories import make_member


def member_data(cell, **overrides):
    data = {
        "cell": cell.pk,
        "full_name": "Lò Thị Mai",
        "date_of_birth": "2004-05-09",
        "gender": "F",
        "ethnicity": "Thái",
        "religion": "Không",
        "citizen_id": "",
        "phone": "+84 912 345 678",
        "address": "Bản Hon",
        "education": "12/12",
        "occupation": "Công nhân",
        "joined_on": "2020-03-26",
        "card_number": "",
        "party_introduced_on": "",
        "party_admitted_on": "",
    }
    data.update(overrides)
    return data


def test_it_adds_a_member_with_a_normalised_phone(client, people, tree):
    client.force_login(people.secretary)
    response = client.post(reverse("member_create"), member_data(tree.C1))
    member = Member.objects.get(full_name="Lò Thị Mai")
    assert response.status_code == 302 and response["Location"] == reverse("member_detail", args=[member.pk])
    assert member.phone == "0912345678" and member.cell == tree.C1 and member.status == Status.ACTIVE


def test_errors_are_vietnamese_next_to_the_field_and_nothing_is_saved(client, people, tree):
    client.force_login(people.secretary)
    response = client.post(
        reverse("member_create"), member_data(tree.C1, citizen_id="12345", phone="12", date_of_birth="2099-01-01")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Số CCCD phải gồm đúng 12 chữ số." in body
    assert "Số điện thoại không hợp lệ" in body
    assert "Ngày không được sau hôm nay." in body
    assert 'value="Lò Thị Mai"' in body  # nothing typed is lost
    assert not Member.objects.filter(full_name="Lò Thị Mai").exists()


def test_a_name_pasted_from_an_old_font_document_is_read_back_for_the_user_to_check(client, people, tree):
    """ "Lª ThÞ Hµ" is Lê Thị Hà typed in .VnTime: stored so, no search would ever find her. The form puts the
    name it reads back in the box and asks to check it; saving again stores it."""
    client.force_login(people.secretary)
    data = member_data(tree.C1, full_name="Lª ThÞ Hµ")
    response = client.post(reverse("member_create"), data)
    body = response.content.decode()
    assert "phông cũ (TCVN3) nên hiển thị sai; phần mềm đã đọc lại thành “Lê Thị Hà”" in body
    assert response.context["form"]["full_name"].value() == "Lê Thị Hà"
    assert not Member.objects.exists()
    client.post(reverse("member_create"), data | {"full_name": response.context["form"]["full_name"].value()})
    assert Member.objects.get().full_name == "Lê Thị Hà"


def test_a_pasted_name_no_old_font_reads_is_refused(client, people, tree):
    client.force_login(people.secretary)
    response = client.post(reverse("member_create"), member_data(tree.C1, full_name="K'Br« Y Blim"))
    assert "dán từ văn bản gõ bằng phông cũ (TCVN3 .VnTime hoặc VNI)" in response.content.decode()
    assert response.context["form"]["full_name"].value() == "K'Br« Y Blim"  # as typed: nothing guessed
    assert not Member.objects.exists()


def test_it_refuses_an_exact_citizen_id_duplicate_anywhere(client, people, tree):
    make_member(tree.C3, citizen_id="001305012345")  # outside the secretary's scope
    client.force_login(people.secretary)
    response = client.post(reverse("member_create"), member_data(tree.C1, citizen_id="001305012345"))
    assert "Số CCCD này đã có trong sổ đoàn viên (Chi đoàn Ba)" in response.content.decode()
    assert Member.objects.filter(citizen_id="001305012345").count() == 1


def test_it_shows_a_likely_duplicate_before_saving_then_saves_when_confirmed(client, people, tree):
    make_member(tree.C4, full_name="LÒ THỊ MAI", date_of_birth=date(2004, 5, 9))
    client.force_login(people.secretary)
    first = client.post(reverse("member_create"), member_data(tree.C1))
    assert "Có thể trùng với đoàn viên đã có" in first.content.decode()
    assert "Chi đoàn Bốn" in first.content.decode()
    assert Member.objects.filter(cell=tree.C1).count() == 0
    client.post(reverse("member_create"), member_data(tree.C1, confirm_duplicate="on"))
    assert Member.objects.filter(cell=tree.C1, full_name="Lò Thị Mai").count() == 1


def test_cell_choices_come_from_the_scope(client, people, tree):
    client.force_login(people.secretary)
    response = client.post(reverse("member_create"), member_data(tree.C3))
    assert "cell" in response.context["form"].errors
    assert not Member.objects.filter(cell=tree.C3).exists()


def test_an_edit_from_a_stale_copy_is_refused(client, people, tree):
    member = make_member(tree.C1, full_name="Hà Văn Cũ")
    client.force_login(people.secretary)
    data = member_data(tree.C1, full_name="Hà Văn Mới", version=member.version)
    assert client.post(reverse("member_edit", args=[member.pk]), data).status_code == 302
    stale = member_data(tree.C1, full_name="Hà Văn Khác", version=member.version)
    response = client.post(reverse("member_edit", args=[member.pk]), stale)
    assert "vừa được người khác sửa" in response.content.decode()
    member.refresh_from_db()
    assert member.full_name == "Hà Văn Mới"


def test_a_status_change_is_a_dated_event_in_the_history(client, people, tree):
    member = make_member(tree.C1)
    client.force_login(people.secretary)
    response = client.post(
        reverse("member_status", args=[member.pk]),
        {"to_status": Status.AWAY, "date": "2026-10-01", "reason": "Đi làm ở Bắc Ninh"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == Status.AWAY
    event = StatusEvent.objects.get(member=member)
    assert (event.from_status, event.to_status, event.date, event.recorded_by) == (
        Status.ACTIVE,
        Status.AWAY,
        date(2026, 10, 1),
        people.secretary,
    )
    page = client.get(reverse("member_detail", args=[member.pk])).content.decode()
    assert "Đi làm ở Bắc Ninh" in page and "01/10/2026" in page


def test_the_history_is_kept_in_date_order(client, people, tree):
    # Joined 01/03/2026, away from 01/10/2026: a change dated before either is refused, on the form, with both dates.
    member = make_member(tree.C1, joined_on=date(2026, 3, 1))
    client.force_login(people.secretary)
    url = reverse("member_status", args=[member.pk])
    client.post(url, {"to_status": Status.AWAY, "date": "01/10/2026", "reason": "Đi làm ở Bắc Ninh"})
    for day, refusal in (
        ("15/09/2026", "Ngày biến động (15/09/2026) không được trước biến động gần nhất của đoàn viên (01/10/2026)"),
        ("01/02/2026", "Ngày biến động (01/02/2026) không được trước ngày vào Đoàn (01/03/2026)."),
    ):
        response = client.post(url, {"to_status": Status.REMOVED, "date": day, "reason": "Bỏ sinh hoạt"})
        assert refusal in response.content.decode() and "Bỏ sinh hoạt" in response.content.decode()
    member.refresh_from_db()
    assert member.status == Status.AWAY and member.status_events.count() == 1
    # The same day as the latest event is fine (two changes on one day), and so is a move after it.
    assert client.post(url, {"to_status": Status.ACTIVE, "date": "01/10/2026", "reason": "Về"}).status_code == 302
    with pytest.raises(services.RegisterError, match="biến động gần nhất"):
        services.move_member(member=member, to_cell=tree.C2, on=date(2026, 9, 30), reason="x", by=people.officer)
    with pytest.raises(services.RegisterError, match="biến động gần nhất"):
        services.request_transfer(member=member, to_cell=tree.C3, on=date(2026, 9, 30), reason="x", by=people.officer)
    services.move_member(member=member, to_cell=tree.C2, on=date(2026, 10, 2), reason="x", by=people.officer)


def test_a_join_date_that_cannot_be_right_is_refused_on_the_form(client, people, tree):
    client.force_login(people.secretary)
    for joined, refusal in (
        ("26/03/2014", "Vào Đoàn khi mới 9 tuổi: hãy kiểm tra lại ngày sinh và ngày vào Đoàn."),
        ("26/03/2004", "Ngày vào Đoàn phải sau ngày sinh."),
    ):
        response = client.post(reverse("member_create"), member_data(tree.C1, joined_on=joined))
        assert refusal in response.content.decode()
    assert not Member.objects.exists()
    client.post(reverse("member_create"), member_data(tree.C1, joined_on="26/03/2019"))  # 14 years old
    assert Member.objects.get().joined_on == date(2019, 3, 26)


def test_party_dates_follow_the_union_and_the_partys_age(client, people, tree):
    client.force_login(people.secretary)
    # Joined the union 26/03/2020, born 09/05/2004: 17 on 08/05/2022, 18 the next day.
    response = client.post(reverse("member_create"), member_data(tree.C1, party_introduced_on="01/01/2019"))
    assert "Ngày giới thiệu vào Đảng phải sau ngày vào Đoàn." in response.content.decode()
    data = member_data(tree.C1, party_introduced_on="01/01/2022", party_admitted_on="08/05/2022")
    response = client.post(reverse("member_create"), data)
    assert "Vào Đảng khi mới 17 tuổi: Đảng kết nạp từ 18 tuổi." in response.content.decode()
    assert not Member.objects.exists()
    client.post(reverse("member_create"), {**data, "party_admitted_on": "09/05/2022"})
    assert Member.objects.get().party_admitted_on == date(2022, 5, 9)


def test_the_join_date_stays_before_the_first_status_change(client, people, tree):
    member = make_member(tree.C1, full_name="Lò Thị Mai", date_of_birth=date(2004, 5, 9), joined_on=date(2020, 3, 26))
    services.change_status(member=member, to_status=Status.AWAY, on=date(2026, 6, 1), reason="x", by=people.officer)
    member.refresh_from_db()
    client.force_login(people.secretary)
    url = reverse("member_edit", args=[member.pk])
    response = client.post(url, member_data(tree.C1, joined_on="02/06/2026", version=member.version))
    assert "Ngày vào Đoàn không được sau biến động đầu tiên của đoàn viên (01/06/2026)." in response.content.decode()
    member.refresh_from_db()
    assert member.joined_on == date(2020, 3, 26)


def test_a_status_change_needs_a_reason(client, people, tree):
    member = make_member(tree.C1)
    client.force_login(people.secretary)
    response = client.post(
        reverse("member_status", args=[member.pk]), {"to_status": Status.REMOVED, "date": "2026-10-01"}
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.status == Status.ACTIVE


def test_a_member_entered_by_mistake_today_can_be_deleted_after_confirmation(client, people, tree):
    member = make_member(tree.C1)
    client.force_login(people.secretary)
    confirm = client.get(reverse("member_delete", args=[member.pk]))
    assert "Xóa hồ sơ nhập nhầm?" in confirm.content.decode()
    assert Member.objects.filter(pk=member.pk).exists()
    client.post(reverse("member_delete", args=[member.pk]))
    assert not Member.objects.filter(pk=member.pk).exists()


def test_a_member_with_history_is_never_deleted(client, people, tree):
    member = make_member(tree.C1)
    client.force_login(people.secretary)
    client.post(
        reverse("member_status", args=[member.pk]), {"to_status": Status.AWAY, "date": "2026-10-01", "reason": "x"}
    )
    client.post(reverse("member_delete", args=[member.pk]))
    assert Member.objects.filter(pk=member.pk).exists()


def test_the_district_cannot_edit_but_can_read(client, people, tree):
    member = make_member(tree.C1)
    client.force_login(people.district)
    assert client.get(reverse("member_detail", args=[member.pk])).status_code == 200
    assert client.get(reverse("member_edit", args=[member.pk])).status_code == 403


def test_citizen_ids_are_masked_for_readers_and_shown_to_keepers(client, people, tree):
    member = make_member(tree.C1, citizen_id="001305012345")
    client.force_login(people.district)
    page = client.get(reverse("member_detail", args=[member.pk])).content.decode()
    assert "*********345" in page and "001305012345" not in page
    client.force_login(people.secretary)
    assert "001305012345" in client.get(reverse("member_detail", args=[member.pk])).content.decode()


@pytest.mark.parametrize(
    "name", ["member_detail", "member_edit", "member_status", "member_status_undo", "member_transfer", "member_delete"]
)
def test_member_pages_are_404_outside_the_scope(client, people, tree, name):
    outsider_member = make_member(tree.C2)  # same base union, other cell
    client.force_login(people.secretary)
    assert client.get(reverse(name, args=[outsider_member.pk])).status_code == 404
    assert client.post(reverse(name, args=[outsider_member.pk]), {}).status_code == 404


@pytest.mark.parametrize("name", ["cell_rating", "register_export"])
def test_unit_pages_of_the_register_are_404_outside_the_scope(client, people, tree, name):
    client.force_login(people.secretary)
    assert client.get(reverse(name, args=[tree.C2.pk])).status_code == 404


@pytest.mark.parametrize("editing", [False, True])
def test_a_citizen_id_saved_by_someone_else_a_moment_before_is_reported_on_the_form(
    client, people, tree, monkeypatch, editing
):
    """Both forms passed the duplicate check; the other one was saved first. The database refuses the second:
    the form says why, with what was typed, instead of an error page."""
    from members import services

    mine = make_member(tree.C1, full_name="Lò Thị Mai") if editing else None
    real_save = services.save_member

    def someone_else_first(**kwargs):
        make_member(tree.C2, full_name="Người Khác", citizen_id="001305099999")
        return real_save(**kwargs)

    monkeypatch.setattr(services, "save_member", someone_else_first)
    client.force_login(people.secretary)
    data = member_data(tree.C1, citizen_id="001305099999", full_name="Lò Thị Mai Đã Sửa")
    if editing:
        data["version"] = mine.version
    url = reverse("member_edit", args=[mine.pk]) if editing else reverse("member_create")
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200 and "Số CCCD này đã có trong sổ đoàn viên" in html
    assert 'value="Lò Thị Mai Đã Sửa"' in html  # nothing typed is lost
    assert Member.objects.filter(citizen_id="001305099999").count() == 1
