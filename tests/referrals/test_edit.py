"""An open referral can be corrected with the form it was logged with; a closed one cannot."""

from datetime import date

import pytest
from django.urls import reverse

from referrals import services
from referrals.models import Referral, Stage
from reports import tally
from tests.factories import make_member, make_referral, reviewed_referral
from unionapp import audit


def form_data(r, **overrides):
    data = {
        "cell": r.cell_id,
        "introduced_by": "member" if r.introducer_id else "collective",
        "introducer": r.introducer_id or "",
        "collective_kind": r.collective_kind,
        "collective_name": r.collective_name,
        "joins": r.joins,
        "full_name": r.full_name,
        "date_of_birth": f"{r.date_of_birth:%d/%m/%Y}",
        "gender": r.gender,
        "phone": r.phone,
        "citizen_id": r.citizen_id or "",
        "address": r.address,
        "place_kind": r.place_kind,
        "place_name": r.place_name,
        "introduced_on": f"{r.introduced_on:%d/%m/%Y}",
        "note": r.note,
    }
    data.update(overrides)
    return data


def edit_url(r):
    return reverse("referral_edit", args=[r.pk])


def test_a_secretary_corrects_a_mistyped_name_and_birth_date(client, people, tree):
    introducer = make_member(tree.C1)
    r = make_referral(tree.C1, people.secretary, introducer=introducer, full_name="Nguyen Van Tuan")
    client.force_login(people.secretary)
    detail = client.get(reverse("referral_detail", args=[r.pk])).content.decode()
    assert edit_url(r) in detail
    page = client.get(edit_url(r)).content.decode()
    assert 'value="Nguyen Van Tuan"' in page and "Sửa hồ sơ giới thiệu" in page
    data = form_data(r, full_name="Nguyễn  Văn Tuấn", date_of_birth="15/06/2008")
    response = client.post(edit_url(r), data, follow=True)
    assert "Đã lưu hồ sơ Nguyễn Văn Tuấn." in response.content.decode()
    r.refresh_from_db()
    assert (r.full_name, r.date_of_birth, r.search_name) == ("Nguyễn Văn Tuấn", date(2008, 6, 15), "nguyen van tuan")
    assert r.stage == Stage.INTRODUCED and r.introducer == introducer
    change = audit.for_object(r).filter(action=audit.Action.CHANGE).get()
    assert change.changes["full_name"] == ["Nguyen Van Tuan", "Nguyễn Văn Tuấn"] and "cell" not in change.changes


def test_another_introducer_moves_the_credit_and_the_reports_follow(client, people, tree):
    first, second = make_member(tree.C1), make_member(tree.C1)
    r = make_referral(tree.C1, people.secretary, introducer=first)
    client.force_login(people.secretary)
    assert client.post(edit_url(r), form_data(r, introducer=second.pk)).status_code == 302
    r.refresh_from_db()
    assert r.introducer == second
    assert tally.check() == []
    # By a collective instead: the member is no longer credited.
    data = form_data(r, introduced_by="collective", collective_kind="pioneer_unit", collective_name="Liên đội THCS")
    assert client.post(edit_url(r), data).status_code == 302
    r.refresh_from_db()
    assert (r.introducer, r.collective_name) == (None, "Liên đội THCS")
    assert tally.check() == []


def test_a_correction_keeps_an_introducer_who_has_left_since_and_offers_no_one_else_out_of_the_list(
    client, people, tree
):
    from members import services as member_services
    from members.models import Status

    introducer, other = make_member(tree.C1, full_name="Lò Văn Đã Đi"), make_member(tree.C1)
    r = make_referral(tree.C1, people.secretary, introducer=introducer, introduced_on=date(2026, 3, 1))
    member_services.change_status(
        member=introducer, to_status=Status.MATURED, on=date(2026, 6, 1), reason="Đủ 30 tuổi", by=people.secretary
    )
    client.force_login(people.secretary)
    page = client.get(edit_url(r)).content.decode()
    assert f'<option value="{introducer.pk}" selected>Lò Văn Đã Đi' in page  # kept...
    assert f'<option value="{other.pk}">' in page  # ...and the cell's members to choose from
    assert client.post(edit_url(r), form_data(r, full_name="Tên Đã Sửa")).status_code == 302
    r.refresh_from_db()
    assert (r.introducer, r.full_name) == (introducer, "Tên Đã Sửa")
    # Someone else who has left, or a member of a cell out of reach, is not a choice.
    gone = make_member(tree.C1)
    member_services.change_status(
        member=gone, to_status=Status.MATURED, on=date(2026, 6, 1), reason="x", by=people.secretary
    )
    for refused in (gone, make_member(tree.C3)):
        response = client.post(edit_url(r), form_data(r, introducer=refused.pk))
        assert response.status_code == 200 and "introducer" in response.context["form"].errors
    assert Referral.objects.get(pk=r.pk).introducer == introducer


def test_the_cell_changes_only_before_the_course(client, people, tree):
    r = make_referral(tree.C1, people.officer)
    client.force_login(people.officer)
    assert client.post(edit_url(r), form_data(r, cell=tree.C2.pk)).status_code == 302
    r.refresh_from_db()
    assert r.cell == tree.C2 and tally.check() == []
    r = services.start_training(referral=r, by=people.officer, course_name="Lớp", start=date(2026, 4, 1), end=None)
    response = client.post(edit_url(r), form_data(r, cell=tree.C1.pk, full_name="Tên Mới"))
    assert response.status_code == 302  # the name is saved; the cell field is locked and ignored
    r.refresh_from_db()
    assert (r.cell, r.full_name, r.stage) == (tree.C2, "Tên Mới", Stage.TRAINING)
    assert "Hồ sơ đã vào lớp bồi dưỡng ở chi đoàn này." in client.get(edit_url(r)).content.decode()


def test_a_citizen_id_of_another_open_referral_is_refused(client, people, tree):
    make_referral(tree.C2, people.officer, citizen_id="001203004005")
    r = make_referral(tree.C1, people.secretary)
    client.force_login(people.secretary)
    response = client.post(edit_url(r), form_data(r, citizen_id="001203004005"))
    assert "Không thể ghi nhận trùng" in response.content.decode()
    assert Referral.objects.get(pk=r.pk).citizen_id is None


def test_a_closed_referral_cannot_be_corrected(client, people, tree):
    r = reviewed_referral(tree.C1, people.secretary)
    services.admit(referral=r, by=people.officer, decision_number="5", decision_date=date(2026, 6, 1))
    client.force_login(people.secretary)
    assert edit_url(r) not in client.get(reverse("referral_detail", args=[r.pk])).content.decode()
    response = client.post(edit_url(r), form_data(r, full_name="Đổi Tên"), follow=True)
    assert "Hồ sơ đã kết thúc, không sửa được nữa." in response.content.decode()
    assert Referral.objects.get(pk=r.pk).full_name != "Đổi Tên"


def test_out_of_scope_is_404_and_approvers_who_log_nothing_403(client, people, tree):
    r = make_referral(tree.C3, people.admin)
    client.force_login(people.secretary)
    assert client.get(edit_url(r)).status_code == 404
    assert client.post(edit_url(r), form_data(r, full_name="X")).status_code == 404
    mine = make_referral(tree.C1, people.secretary)
    # Another cell's member as introducer is not a choice, nor a cell outside the scope.
    response = client.post(edit_url(mine), form_data(mine, introduced_by="member", introducer=make_member(tree.C3).pk))
    assert response.status_code == 200 and Referral.objects.get(pk=mine.pk).introducer_id is None
    response = client.post(edit_url(mine), form_data(mine, cell=tree.C3.pk))
    assert response.status_code == 200 and Referral.objects.get(pk=mine.pk).cell == tree.C1
    client.force_login(people.district)
    assert client.get(edit_url(mine)).status_code == 403


def test_the_correction_page_in_english(client, people, tree):
    r = make_referral(tree.C1, people.secretary)
    client.force_login(people.secretary)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(edit_url(r)).content.decode()
    assert "Correct a referral" in page and "Save" in page


def test_the_database_refuses_a_second_open_referral_with_one_citizen_id_even_past_the_form(people, tree):
    """Another correction may win the race after the form's check: the partial unique index still refuses."""
    make_referral(tree.C2, people.officer, citizen_id="001203004005")
    r = make_referral(tree.C1, people.secretary)
    r.citizen_id = "001203004005"
    with pytest.raises(services.ReferralError, match="đang được giới thiệu ở một hồ sơ khác"):
        services.correct_referral(referral=r, by=people.secretary)
    assert Referral.objects.get(pk=r.pk).citizen_id is None


def test_the_introduction_date_stays_before_the_cells_review(client, people, tree):
    r = reviewed_referral(tree.C1, people.secretary, introduced_on=date(2026, 3, 1))  # reviewed on 01/05/2026
    client.force_login(people.secretary)
    response = client.post(edit_url(r), form_data(r, introduced_on="10/05/2026", phone="0912345678"))
    body = response.content.decode()
    assert "Ngày giới thiệu (10/05/2026) không được sau ngày chi đoàn họp xét (01/05/2026)." in body
    assert 'value="0912345678"' in body  # what was typed is kept
    r.refresh_from_db()
    assert r.introduced_on == date(2026, 3, 1) and r.phone != "0912345678"
    assert client.post(edit_url(r), form_data(r, introduced_on="01/05/2026")).status_code == 302
