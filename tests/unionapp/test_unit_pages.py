"""The tree kept in the app by the province office and, for their cells, base unions' officers
(Cap.MANAGE_UNITS): a new unit, a rename or a move, closing and reopening, within the scope; the reports follow
a move."""

from datetime import date

from django.urls import reverse
from django.utils import timezone

from reports import tally
from tests.factories import make_member, make_unit, make_user
from unionapp.models import AuditEvent, Kind, Role, Unit
from unionapp.scoping import Scope


def test_it_adds_a_cell_under_a_base_union(client, tree, people):
    client.force_login(people.province)
    url = reverse("unit_create", args=[tree.B3.pk])
    form = client.get(url).context["form"]
    assert [k for k, _label in form.fields["kind"].choices] == [Kind.CELL]
    response = client.post(url, {"name": "  Chi đoàn   Năm ", "code": "C5", "kind": Kind.CELL})
    unit = Unit.objects.get(code="C5")
    assert response.status_code == 302 and response["Location"] == reverse("unit_detail", args=[unit.pk])
    assert unit.name == "Chi đoàn Năm" and unit.parent == tree.B3 and unit.path == f"{tree.B3.path}{unit.pk}/"
    assert AuditEvent.objects.filter(object_id=str(unit.pk), action=AuditEvent.Action.CREATE).exists()
    # The new cell is offered at once where cells are chosen.
    assert unit in Scope(people.province).units().filter(kind=Kind.CELL)


def test_it_offers_the_kinds_a_parent_may_hold(client, tree, people):
    client.force_login(people.province)
    province_kinds = client.get(reverse("unit_create", args=[tree.P.pk])).context["form"].fields["kind"].choices
    assert [k for k, _label in province_kinds] == [Kind.DISTRICT, Kind.BASE]
    under_a_cell = client.get(reverse("unit_create", args=[tree.C1.pk]))
    assert "Chi đoàn là cấp cuối cùng" in under_a_cell.content.decode()
    client.post(reverse("unit_create", args=[tree.C1.pk]), {"name": "X", "code": "X", "kind": Kind.CELL})
    assert not Unit.objects.filter(code="X").exists()


def test_it_refuses_a_code_already_used_whatever_its_case(client, tree, people):
    client.force_login(people.province)
    response = client.post(reverse("unit_create", args=[tree.B3.pk]), {"name": "Y", "code": "c1", "kind": Kind.CELL})
    assert "Mã này đã dùng cho đơn vị khác" in response.content.decode()
    assert Unit.objects.filter(code__iexact="c1").count() == 1


def test_a_code_is_letters_digits_and_dashes(client, tree, people):
    client.force_login(people.province)
    response = client.post(reverse("unit_create", args=[tree.B3.pk]), {"name": "Y", "code": "C 5", "kind": Kind.CELL})
    assert "Mã chỉ gồm chữ, số và các dấu" in response.content.decode()
    assert not Unit.objects.filter(name="Y").exists()


def test_it_renames_and_moves_a_base_union_and_the_reports_follow(client, tree, people):
    make_member(tree.C1, joined_on=date(2020, 1, 1))
    client.force_login(people.province)
    url = reverse("unit_edit", args=[tree.B1.pk])
    picker = client.get(url).context["form"].fields["parent"].queryset
    assert set(picker) == {tree.P, tree.D1, tree.D2}  # where a base union may sit
    response = client.post(url, {"name": "Đoàn xã Một Mới", "code": "B1", "parent": tree.D2.pk})
    assert response.status_code == 302
    tree.C1.refresh_from_db()
    assert tree.C1.path.startswith(tree.D2.path) and Unit.objects.get(pk=tree.B1.pk).name == "Đoàn xã Một Mới"
    today = timezone.localdate()
    per_district = {int(key): summed for key, *summed in tally.sums(today, today, today, under=tree.P)}
    assert tree.D2.pk in per_district and tree.D1.pk not in per_district
    event = AuditEvent.objects.get(object_id=str(tree.B1.pk), action=AuditEvent.Action.CHANGE)
    assert event.changes["parent"] == ["Huyện đoàn Một", "Huyện đoàn Hai"]


def test_it_explains_a_move_the_tree_does_not_allow(client, tree, people):
    client.force_login(people.province)
    response = client.post(reverse("unit_edit", args=[tree.D1.pk]), {"name": "D", "code": "D1", "parent": tree.D2.pk})
    assert response.status_code == 200 and "parent" in response.context["form"].errors
    tree.D1.refresh_from_db()
    assert tree.D1.parent == tree.P


def test_the_top_of_ones_scope_is_renamed_but_not_moved(client, tree, people):
    officer = make_user("quanlyhuyen", Role.PROVINCE_OFFICE, tree.P)
    client.force_login(officer)
    assert "parent" not in client.get(reverse("unit_edit", args=[tree.P.pk])).context["form"].fields
    client.post(reverse("unit_edit", args=[tree.P.pk]), {"name": "Tỉnh đoàn Thử Mới", "code": "P"})
    assert Unit.objects.get(pk=tree.P.pk).name == "Tỉnh đoàn Thử Mới"


def test_closing_a_unit_says_what_it_still_holds_then_keeps_it_in_the_reports(client, tree, people):
    make_member(tree.C1, joined_on=date(2020, 1, 1))
    client.force_login(people.province)
    url = reverse("unit_active", args=[tree.C1.pk])
    assert "Còn 1 đoàn viên đang sinh hoạt" in client.get(url).content.decode()
    assert client.post(url, {"active": "0"}).status_code == 302
    client.post(url, {"active": "0"})  # a second click changes nothing
    tree.C1.refresh_from_db()
    assert not tree.C1.is_active
    # No longer offered for new members; its secretary's role lapses; the report still counts it.
    assert tree.C1 not in client.get(reverse("member_create")).context["form"].fields["cell"].queryset
    assert Scope(people.secretary).home_unit() is None
    report = client.get(reverse("report", args=[tree.B1.pk]))
    assert tree.C1.name in report.content.decode()
    client.post(url, {"active": "1"})  # reopened
    tree.C1.refresh_from_db()
    assert tree.C1.is_active and Scope(people.secretary).home_unit() == tree.C1


def test_ones_own_unit_cannot_be_closed(client, tree, people):
    officer = make_user("vanphong2", Role.PROVINCE_OFFICE, tree.P)
    officer.assignments.create(unit=tree.D1, role=Role.DISTRICT_STAFF)
    client.force_login(officer)
    url = reverse("unit_active", args=[tree.D1.pk])
    assert "đơn vị bạn được phân công" in client.get(url).content.decode()
    assert client.post(url, {"active": "0"}).status_code == 403
    tree.D1.refresh_from_db()
    assert tree.D1.is_active


def test_units_outside_the_scope_are_not_offered_as_parents(client, tree, people):
    other = make_unit(Kind.PROVINCE, name="Tỉnh đoàn Khác", code="P2")
    client.force_login(people.province)
    response = client.post(reverse("unit_edit", args=[tree.B1.pk]), {"name": "B", "code": "B1", "parent": other.pk})
    assert "parent" in response.context["form"].errors
    tree.B1.refresh_from_db()
    assert tree.B1.parent == tree.D1


def test_the_tools_are_shown_to_those_who_manage_the_unit(client, tree, people):
    edit, close = reverse("unit_edit", args=[tree.B1.pk]), reverse("unit_active", args=[tree.B1.pk])
    for user, shown, changed in (
        (people.province, True, True),
        (people.officer, True, False),  # its own base union: cells and accounts, not its name or closing
        (people.district, False, False),
        (people.secretary, False, False),
    ):
        client.force_login(user)
        body = client.get(reverse("unit_detail", args=[tree.B1.pk])).content.decode()
        assert ('data-testid="manage"' in body) is shown, user
        assert (reverse("unit_create", args=[tree.B1.pk]) in body) is shown, user
        assert ("+ Thêm chi đoàn" in body) is shown, user  # what a base union adds
        assert (edit in body) is changed and (close in body) is changed, user


def test_a_base_unions_officer_adds_renames_and_closes_its_cells(client, tree, people):
    client.force_login(people.officer)
    response = client.post(
        reverse("unit_create", args=[tree.B1.pk]), {"name": "Chi đoàn Lớp 10A", "code": "C10A", "kind": Kind.CELL}
    )
    cell = Unit.objects.get(code="C10A")
    assert response.status_code == 302 and cell.parent == tree.B1
    assert AuditEvent.objects.get(object_id=str(cell.pk), action=AuditEvent.Action.CREATE).username == "canboxa"
    body = client.get(reverse("unit_detail", args=[cell.pk])).content.decode()
    assert reverse("unit_edit", args=[cell.pk]) in body and reverse("unit_active", args=[cell.pk]) in body
    client.post(
        reverse("unit_edit", args=[cell.pk]), {"name": "Chi đoàn Lớp 10A1", "code": "C10A1", "parent": tree.B1.pk}
    )
    client.post(reverse("unit_active", args=[cell.pk]), {"active": "0"})
    cell.refresh_from_db()
    assert (cell.name, cell.code, cell.is_active) == ("Chi đoàn Lớp 10A1", "C10A1", False)


def test_a_base_unions_officer_does_not_rename_close_or_leave_its_base_union(client, tree, people):
    client.force_login(people.officer)
    assert client.get(reverse("unit_edit", args=[tree.B1.pk])).status_code == 403
    assert client.post(reverse("unit_edit", args=[tree.B1.pk]), {"name": "Đổi", "code": "B1X"}).status_code == 403
    assert client.post(reverse("unit_active", args=[tree.B1.pk]), {"active": "0"}).status_code == 403
    # A cell of theirs moves only among their own units: to another base union is not offered.
    picker = client.get(reverse("unit_edit", args=[tree.C1.pk])).context["form"].fields["parent"].queryset
    assert set(picker) == {tree.B1}
    response = client.post(reverse("unit_edit", args=[tree.C1.pk]), {"name": "C", "code": "C1", "parent": tree.B2.pk})
    assert "parent" in response.context["form"].errors
    # Under another base union, nothing at all.
    assert client.get(reverse("unit_create", args=[tree.B2.pk])).status_code == 404
    tree.B1.refresh_from_db(), tree.C1.refresh_from_db()
    assert (tree.B1.name, tree.B1.code, tree.B1.is_active, tree.C1.parent) == ("Đoàn xã Một", "B1", True, tree.B1)


def test_a_cells_count_says_how_many_of_its_members_work_away(client, tree, people):
    # Members working away are still members (counted), so the card must not call them all "active".
    make_member(tree.C1, full_name="Lò Văn Ở")
    make_member(tree.C1, full_name="Lò Văn Xa", status="away")
    make_member(tree.C1, full_name="Lò Văn Chuyển", status="transferred")
    client.force_login(people.secretary)
    body = client.get(reverse("unit_detail", args=[tree.C1.pk])).content.decode()
    assert "Đoàn viên hiện có" in body and 'data-testid="member-total">2<' in body
    assert "trong đó 1 đi làm ăn xa" in body


def test_a_base_union_sees_which_of_its_cells_fall_below_three_members(client, tree, people):
    # The charter's minimum: C1 has 2 counted members (and one who has left), C2 has 3, C3's register is empty.
    make_member(tree.C1, full_name="Lò Văn Một")
    make_member(tree.C1, full_name="Lò Văn Hai", status="away")
    make_member(tree.C1, full_name="Lò Văn Đi", status="transferred")
    for n in range(3):
        make_member(tree.C2, full_name=f"Hà Thị {n}")
    make_unit(Kind.CELL, tree.B1, name="Chi đoàn Mới", code="C9")
    client.force_login(people.officer)
    rows = {
        row.split("</a>")[0].rsplit(">", 1)[-1]: row
        for row in client.get(reverse("unit_detail", args=[tree.B1.pk])).content.decode().split("<tr")[2:]
    }
    assert 'data-testid="below-minimum">dưới 3 đoàn viên<' in rows["Chi đoàn Một"]
    assert "below-minimum" not in rows["Chi đoàn Hai"] and "below-minimum" not in rows["Chi đoàn Mới"]


def test_a_base_union_sees_which_of_its_cells_nobody_can_log_in_to(client, tree, people, django_assert_max_num_queries):
    closed = make_unit(Kind.CELL, tree.B1, name="Chi đoàn Đã Giải Thể", code="C-CU", is_active=False)
    client.force_login(people.officer)
    # session, user with roles, the unit, its cells, member counts, the cells' secretaries (read once for the
    # marks and the to-do); to-do: transfers to take in, candidates waiting
    with django_assert_max_num_queries(8):
        response = client.get(reverse("unit_detail", args=[tree.B1.pk]))
    flagged = {c.code for c in response.context["children"] if getattr(c, "no_secretary", False)}
    assert flagged == {"C2"}  # C1 has its secretary; a closed cell needs none
    assert f"{reverse('user_create')}?unit={tree.C2.pk}" in response.content.decode()
    assert closed.name in response.content.decode()
    # A secretary whose account is locked leaves the cell without one.
    people.secretary.is_active = False
    people.secretary.save()
    response = client.get(reverse("unit_detail", args=[tree.B1.pk]))
    assert {c.code for c in response.context["children"] if getattr(c, "no_secretary", False)} == {"C1", "C2"}
    # Only those who give the accounts are told.
    client.force_login(people.district)
    assert 'data-testid="no-secretary"' not in client.get(reverse("unit_detail", args=[tree.B1.pk])).content.decode()
