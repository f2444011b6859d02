"""A step for a list goes through for all or for none, and names every refusal."""

import pytest

from tests.factories import make_unit
from unionapp.models import Kind, Unit
from unionapp.transactions import all_or_none


class Refused(Exception):
    pass


def rename(unit):
    if unit.code.startswith("X"):
        raise Refused(f"{unit.code} không đổi được")
    Unit.objects.filter(pk=unit.pk).update(name=unit.name + " (mới)")


@pytest.fixture
def units(tree):
    return [make_unit(Kind.CELL, tree.B1, code=code, name=code) for code in ("A1", "X2", "A3", "X4")]


def test_every_refusal_is_named_and_nothing_is_written(units):
    refused = all_or_none(units, rename, refusal=Refused)
    assert [(u.code, message) for u, message in refused] == [("X2", "X2 không đổi được"), ("X4", "X4 không đổi được")]
    assert not Unit.objects.filter(name__endswith="(mới)").exists()  # A1 and A3 were undone too


def test_without_a_refusal_everything_is_written(units):
    fine = [u for u in units if u.code.startswith("A")]
    assert all_or_none(fine, rename, refusal=Refused) == []
    assert set(Unit.objects.filter(name__endswith="(mới)").values_list("code", flat=True)) == {"A1", "A3"}


def test_another_error_is_not_a_refusal(units):
    def broken(unit):
        raise ValueError("a bug, not a user's mistake")

    with pytest.raises(ValueError):
        all_or_none(units, broken, refusal=Refused)
