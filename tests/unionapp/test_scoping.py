import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Member
from tests.factories import make_user
from unionapp.models import Assignment, Role, Unit
from unionapp.scoping import Cap, Scope


def unit_codes(user, cap=None):
    return set(Scope(user).units(cap).values_list("code", flat=True))


def test_each_role_sees_exactly_its_subtree(people):
    assert unit_codes(people.secretary) == {"C1"}
    assert unit_codes(people.officer) == {"B1", "C1", "C2"}
    assert unit_codes(people.district) == {"D1", "B1", "C1", "C2"}
    assert unit_codes(people.province) == {"P", "D1", "D2", "B1", "B2", "B3", "C1", "C2", "C3", "C4"}
    assert unit_codes(people.outsider) == set()
    assert unit_codes(people.admin) == set(Unit.objects.values_list("code", flat=True))


def test_members_follow_the_scope(people, members, tree):
    scoped = Scope(people.officer).filter(Member.objects.all(), Cap.VIEW_MEMBERS, via="cell__")
    assert set(scoped) == set(members[tree.C1] + members[tree.C2])


def test_capabilities_come_from_the_role_table(people, tree):
    assert Scope(people.secretary).can(Cap.EDIT_MEMBERS, tree.C1)
    assert not Scope(people.secretary).can(Cap.APPROVE_ADMISSIONS, tree.C1)
    assert Scope(people.officer).can(Cap.APPROVE_ADMISSIONS, tree.C2)
    assert not Scope(people.officer).can(Cap.APPROVE_ADMISSIONS, tree.C3)
    assert not Scope(people.district).can(Cap.MANAGE_UNITS, tree.D1)
    assert Scope(people.province).can(Cap.MANAGE_UNITS, tree.C4)


def test_scope_is_read_in_one_query(people, tree, django_assert_num_queries):
    scope = Scope(people.district)
    with django_assert_num_queries(1):
        scope.has(Cap.VIEW_MEMBERS)
        scope.can(Cap.VIEW_MEMBERS, tree.C1)
        scope.q(Cap.VIEW_MEMBERS)


def test_each_request_reads_the_user_with_their_roles_in_one_query(client, people, tree, django_assert_num_queries):
    """The session, then the user with their roles and units: the scope needs no query of its own. A role given
    or a unit deactivated counts from the next request; a user with no role, or a disabled one, still works."""
    home = reverse("home")
    client.force_login(people.officer)
    with django_assert_num_queries(2):
        assert client.get(home).url == reverse("dashboard", args=[tree.B1.pk])
    Assignment.objects.create(user=people.officer, unit=tree.D2, role=Role.DISTRICT_STAFF)
    tree.B1.is_active = False
    tree.B1.save()
    assert client.get(home).url == reverse("dashboard", args=[tree.D2.pk])
    assert client.get(reverse("unit_detail", args=[tree.C1.pk])).status_code == 404
    assert client.get(reverse("unit_detail", args=[tree.C3.pk])).status_code == 200

    client.force_login(people.outsider)
    response = client.get(home)
    assert response.status_code == 200 and response.context["user"] == people.outsider  # the no-role page
    people.outsider.is_active = False
    people.outsider.save()
    assert client.get(home).url.startswith(reverse("login"))


def test_a_deactivated_unit_grants_nothing(people, tree):
    tree.B1.is_active = False
    tree.B1.save()
    assert unit_codes(people.officer) == set()


@pytest.mark.parametrize(
    ("persona", "unit", "status"),
    [
        ("secretary", "C1", 200),
        ("secretary", "C2", 404),  # another cell of the same base union
        ("secretary", "B1", 404),  # its own base union lies above its scope
        ("officer", "C2", 200),
        ("officer", "C3", 404),
        ("district", "C2", 200),
        ("district", "D2", 404),  # another district
        ("district", "C3", 404),
        ("district", "B3", 404),
        ("province", "C4", 200),
        ("outsider", "C1", 403),  # no capability anywhere: refused before any lookup, reveals nothing
        ("admin", "C3", 200),
    ],
)
def test_unit_pages_answer_404_outside_the_scope(client, people, tree, persona, unit, status):
    client.force_login(getattr(people, persona))
    response = client.get(reverse("unit_detail", args=[getattr(tree, unit).pk]))
    assert response.status_code == status


def test_a_unit_page_that_does_not_exist_is_404(client, people):
    client.force_login(people.province)
    assert client.get("/units/999999/").status_code == 404


def test_unit_pages_count_the_members_the_register_counts_at_every_level(client, people, tree, members):

    from members.models import Status
    from members.services import change_status

    away, leaving = members[tree.C1][0], members[tree.C3][1]
    change_status(member=away, to_status=Status.AWAY, on=timezone.localdate(), reason="Đi làm xa", by=people.province)
    change_status(
        member=leaving, to_status=Status.MATURED, on=timezone.localdate(), reason="Trưởng thành", by=people.province
    )
    client.force_login(people.province)
    for unit in (tree.P, tree.D1, tree.D2, tree.B1, tree.B3, tree.C3):
        context = client.get(reverse("unit_detail", args=[unit.pk])).context
        counted = Member.objects.filter(unit.subtree_q("cell__"), status__in=Status.COUNTED)
        assert context["member_total"] == counted.count(), unit.code
        for child in context["children"]:
            assert child.member_count == counted.filter(child.subtree_q("cell__")).count(), child.code
    # The one who matured is no longer counted; the one away still is.
    assert client.get(reverse("unit_detail", args=[tree.P.pk])).context["member_total"] == 7


def test_unit_page_counts_members_of_each_child(client, people, tree, members, django_assert_max_num_queries):
    client.force_login(people.district)
    # session, user, assignments, unit, children, member counts per cell, candidates waiting for approval
    # per base union (the session is not saved: minutes old); the breadcrumbs are the unit of their role
    with django_assert_max_num_queries(7):
        response = client.get(reverse("unit_detail", args=[tree.D1.pk]))
    assert response.context["member_total"] == 4
    assert [c.member_count for c in response.context["children"]] == [4]
    assert [u.code for u in response.context["breadcrumbs"]] == ["D1"]  # the province is above their scope


@pytest.mark.parametrize("who", ["secretary", "officer", "district", "province", "admin", "two roles"])
def test_breadcrumbs_run_from_the_top_the_user_sees_down_to_the_unit(people, tree, who, django_assert_num_queries):
    if who == "two roles":  # a cell's secretary who is also an officer of another commune
        user = make_user("hai_vai_tro", Role.CELL_SECRETARY, tree.C1)
        Assignment.objects.create(user=user, unit=tree.B2, role=Role.BASE_OFFICER)
    else:
        user = getattr(people, who)
    scope = Scope(user)
    for unit in Unit.objects.all():
        if not scope.sees(unit):
            continue
        expected = [u.code for u in unit.ancestors() if scope.sees(u)]
        assert [u.code for u in scope.breadcrumbs(unit)] == expected, unit.code
    # On the unit of one's role, and just below it, nothing more is read.
    home = scope.home_unit()
    if home is not None:
        for unit in [home, *Unit.objects.filter(parent=home)]:
            with django_assert_num_queries(0):
                assert scope.breadcrumbs(unit)[-1] == unit
