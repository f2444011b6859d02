"""Accent-insensitive search runs in the database, so this file runs on SQLite and PostgreSQL."""

import unicodedata

import pytest

from members.models import Member
from tests.factories import make_member


@pytest.fixture
def an(tree):
    return make_member(
        tree.C1, full_name="Nguyễn Văn An", phone="0912345678", citizen_id="001305012345", card_number="CD-0042"
    )


@pytest.mark.parametrize(
    "query",
    ["nguyen van an", "Nguyễn Văn An", "NGUYEN VAN AN", unicodedata.normalize("NFD", "Nguyễn Văn An"), "van an"],
)
def test_it_finds_a_member_typed_any_way(an, query):
    assert list(Member.objects.search(query)) == [an]


def test_d_bar_matches_d(tree):
    dat = make_member(tree.C1, full_name="Trần Văn Đạt")
    assert list(Member.objects.search("tran van dat")) == [dat]
    assert list(Member.objects.search("Đạt")) == [dat]


def test_name_stored_decomposed_is_composed_and_found(tree):
    m = make_member(tree.C1, full_name=unicodedata.normalize("NFD", "Lê Thị Hằng"))
    m.refresh_from_db()
    assert m.full_name == unicodedata.normalize("NFC", "Lê Thị Hằng")
    assert list(Member.objects.search("le thi hang")) == [m]


@pytest.mark.parametrize("query", ["+84 912 345 678", "0912.345.678", "001305012345", "CD-0042", "cd-0042"])
def test_it_finds_by_phone_citizen_id_and_card(an, query):
    assert list(Member.objects.search(query)) == [an]


def test_the_register_is_in_vietnamese_order_in_the_database(tree):
    for name in ["Trần Văn Đạt", "Lê Thị Dung", "Nguyễn Văn An", "Phạm Thị Ánh", "Hoàng Văn Anh"]:
        make_member(tree.C1, full_name=name)
    assert [m.full_name for m in Member.objects.all()] == [
        "Nguyễn Văn An",
        "Hoàng Văn Anh",
        "Phạm Thị Ánh",
        "Lê Thị Dung",
        "Trần Văn Đạt",
    ]
