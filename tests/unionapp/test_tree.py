import pytest
from django.core.exceptions import ValidationError

from members.models import Member
from tests.factories import make_unit
from unionapp.models import Kind, Unit


def test_it_stores_the_path_of_ancestors(tree):
    assert tree.C1.path == f"/{tree.P.pk}/{tree.D1.pk}/{tree.B1.pk}/{tree.C1.pk}/"
    assert tree.C1.depth == 3
    assert tree.C4.depth == 2  # base union directly under the province
    assert list(tree.C1.ancestors()) == [tree.P, tree.D1, tree.B1, tree.C1]


def test_it_selects_a_subtree_in_one_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = set(Unit.objects.subtree(tree.D1).values_list("code", flat=True))
    assert names == {"D1", "B1", "C1", "C2"}


def test_subtree_does_not_take_siblings_whose_id_shares_a_prefix(tree):
    # Ids 1 and 10..19 share the digit prefix: "/1/" must not match "/10/".
    units = [make_unit(Kind.DISTRICT, tree.P) for _ in range(12)]
    sub = set(Unit.objects.subtree(units[0]).values_list("pk", flat=True))
    assert sub == {units[0].pk}


@pytest.mark.postgres_only
def test_the_postgresql_tests_run_in_a_database_that_sorts_as_a_vietnamese_server_does(db):
    """In it "/" counts only after the letters and digits (tests/conftest.py), as in vi_VN or en_US: "/1/2/5/",
    a unit under "/1/2/", sorts after "/1/20". The tree's ranges must not depend on the database's collation,
    so the path columns compare byte by byte."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT '/1/2/5/' < '/1/20', '/1/2/5/' < '/1/20' COLLATE \"C\"")
        assert cursor.fetchone() == (False, True)
        cursor.execute(
            "SELECT table_name, collation_name FROM information_schema.columns WHERE column_name = 'path' "
            "AND table_name IN ('unionapp_unit', 'reports_celltally') ORDER BY 1"
        )
        assert cursor.fetchall() == [("reports_celltally", "C"), ("unionapp_unit", "C")]


def test_members_of_a_subtree_are_one_query(tree, members, django_assert_num_queries):
    with django_assert_num_queries(1):
        count = Member.objects.filter(tree.B1.subtree_q("cell__")).count()
    assert count == 4


def test_it_refuses_a_cell_under_a_province(tree):
    with pytest.raises(ValidationError) as e:
        Unit.add(name="Sai", code="BAD", kind=Kind.CELL, parent=tree.P)
    assert "Chi đoàn không thể trực thuộc Tỉnh đoàn" in str(e.value)
    assert not Unit.objects.filter(code="BAD").exists()


def test_it_refuses_a_province_with_a_parent_and_a_district_without(tree):
    with pytest.raises(ValidationError):
        Unit.add(name="Sai", code="BAD1", kind=Kind.PROVINCE, parent=tree.P)
    with pytest.raises(ValidationError):
        Unit.add(name="Sai", code="BAD2", kind=Kind.DISTRICT, parent=None)


def test_it_moves_a_subtree_with_its_members(tree, members):
    moved = members[tree.C1]
    tree.B1.move_to(tree.D2)
    tree.C1.refresh_from_db()
    assert tree.B1.parent == tree.D2
    assert tree.C1.path == f"/{tree.P.pk}/{tree.D2.pk}/{tree.B1.pk}/{tree.C1.pk}/"
    in_d2 = set(Member.objects.filter(tree.D2.subtree_q("cell__")).values_list("pk", flat=True))
    assert {m.pk for m in moved} <= in_d2
    assert not Member.objects.filter(tree.D1.subtree_q("cell__")).exists()


def test_it_moves_a_base_union_from_a_district_to_the_province(tree):
    tree.B1.move_to(tree.P)
    tree.C2.refresh_from_db()
    assert tree.B1.depth == 1 and tree.C2.depth == 2
    assert tree.C2.path == f"/{tree.P.pk}/{tree.B1.pk}/{tree.C2.pk}/"


def test_it_refuses_a_move_under_its_own_descendant(tree):
    other_district = tree.D2
    with pytest.raises(ValidationError) as e:
        tree.D1.move_to(tree.D1)
    assert "chính nó" in str(e.value)
    with pytest.raises(ValidationError):
        tree.B1.move_to(tree.C1)  # a base union under a cell: wrong kind
    tree.D1.refresh_from_db()
    assert tree.D1.parent == tree.P and other_district.parent == tree.P


def test_it_refuses_a_move_under_a_wrong_kind_and_changes_nothing(tree):
    before = dict(Unit.objects.values_list("pk", "path"))
    with pytest.raises(ValidationError):
        tree.C1.move_to(tree.D2)
    assert dict(Unit.objects.values_list("pk", "path")) == before
