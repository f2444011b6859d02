import unicodedata

import pytest

from members import text


def test_it_composes_decomposed_vietnamese():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    assert decomposed != "Nguyễn Thị Ánh"
    assert text.nfc(f"  {decomposed}\x00  ") == "Nguyễn Thị Ánh"


def test_it_folds_accents_case_and_d_bar():
    assert text.fold("Nguyễn Văn Đạt") == "nguyen van dat"
    assert text.fold("NGUYỄN VĂN ĐẠT") == text.fold("nguyen van dat")
    assert text.fold(unicodedata.normalize("NFD", "Đỗ Thị Hằng")) == "do thi hang"


def test_register_order_is_by_given_name_then_family_in_vietnamese_order():
    names = ["Trần Văn Đạt", "Lê Thị Dung", "Nguyễn Văn An", "Phạm Thị Ánh", "Hoàng Văn Anh", "Bùi Thị Ân", "Lê Văn Ăn"]
    ordered = sorted(names, key=text.sort_key)
    # An < Anh (shorter first), Ánh after Anh (tone), then Ăn, Ân (letters after a), Dung, Đạt (Đ after D)
    assert ordered == [
        "Nguyễn Văn An",
        "Hoàng Văn Anh",
        "Phạm Thị Ánh",
        "Lê Văn Ăn",
        "Bùi Thị Ân",
        "Lê Thị Dung",
        "Trần Văn Đạt",
    ]


def test_same_given_name_sorts_by_family_name():
    assert sorted(["Vũ Thị Lan", "Đỗ Thị Lan", "Bùi Thị Lan"], key=text.sort_key) == [
        "Bùi Thị Lan",
        "Đỗ Thị Lan",
        "Vũ Thị Lan",
    ]


def test_tones_follow_dictionary_order():
    # level, grave, hook, tilde, acute, dot below
    names = ["A Ma", "A Mạ", "A Má", "A Mã", "A Mả", "A Mà"]
    assert sorted(names, key=text.sort_key) == ["A Ma", "A Mà", "A Mả", "A Mã", "A Má", "A Mạ"]


@pytest.mark.parametrize("raw", ["+84 912 345 678", "0912.345.678", "0912345678", "84912345678", "(+84) 912-345-678"])
def test_phone_numbers_are_one_number(raw):
    assert text.normalise_phone(raw) == "0912345678"


@pytest.mark.parametrize("raw", ["12345", "abc", "+1 555 123 4567", "091234567890123"])
def test_impossible_phone_numbers_are_refused(raw):
    with pytest.raises(ValueError):
        text.normalise_phone(raw)


def test_citizen_ids_are_twelve_digits():
    assert text.normalise_citizen_id("001 305.012345") == "001305012345"
    assert text.normalise_citizen_id("") is None
    for bad in ("12345678901", "1234567890123", "00130501234a"):
        with pytest.raises(ValueError):
            text.normalise_citizen_id(bad)


def test_citizen_ids_are_masked():
    assert text.mask_citizen_id("001305012345") == "*********345"


@pytest.mark.parametrize("garbled", ["NguyÔn V¨n An", "Lª ThÞ Hµ", "§oµn Thanh niªn", "Nguyeãn Vaên Ñoaøn"])
def test_text_typed_in_an_old_font_is_recognised(garbled):
    assert text.in_old_font(garbled)


@pytest.mark.parametrize(
    "unicode_text", ["Nguyễn Văn An", "Hà An", "Thôn Bản Trại · xã Quang Lang", "Khu 3 · TP Lang Son", "Kinh", ""]
)
def test_unicode_text_is_not_taken_for_an_old_font(unicode_text):
    assert not text.in_old_font(unicode_text)


@pytest.mark.parametrize(
    ("typed", "font", "meant"),
    [
        ("NguyÔn ThÞ Quúnh", "TCVN3", "Nguyễn Thị Quỳnh"),
        ("Sè 12 ®\xadêng Lª Lîi", "TCVN3", "Số 12 đường Lê Lợi"),
        ("L\xad¬ng V¨n Kh\xad¬ng", "TCVN3", "Lương Văn Khương"),
        ("Phßng GD-§T", "TCVN3", "Phòng GD-ĐT"),
        ("Nguyeãn Thò Ngoïc AÙnh", "VNI", "Nguyễn Thị Ngọc Ánh"),
        ("Traàn Quoác Tuaán", "VNI", "Trần Quốc Tuấn"),
        ("Phaät giaùo", "VNI", "Phật giáo"),
    ],
)
def test_text_typed_in_an_old_font_is_read_back_in_the_one_font_it_makes_sense_in(typed, font, meant):
    assert text.in_old_font(typed)
    assert text.old_font_readings([typed]) == {font: [meant]}


def test_what_reads_in_both_old_fonts_or_in_neither_is_not_guessed():
    assert text.old_font_readings(["Tæ 5"]) == {"TCVN3": ["Tổ 5"], "VNI": ["Tỉ 5"]}
    assert text.old_font_readings(["Tæ 5", "NguyÔn V¨n An"]) == {"TCVN3": ["Tổ 5", "Nguyễn Văn An"]}
    assert text.old_font_readings(["K'Br« Y Blim"]) == {}  # not Vietnamese syllables: no reading is trusted


def test_an_eth_written_for_d_is_made_d_again_unless_the_text_is_in_tcvn3():
    """Windows-1258 text read as Western shows "Ðoàn" (an Icelandic eth): no Vietnamese word has one, and a name
    kept so is never found by "doan". In TCVN3 the same code is "é", told by the font's other codes."""
    assert text.nfc("Ðặng Văn Ðoàn, ðường 3") == "Đặng Văn Đoàn, đường 3"
    assert text.fold("Ðặng") == "dang"
    assert text.nfc("Hoµng ThÞ BÐ") == "Hoµng ThÞ BÐ"
    assert text.old_font_readings([text.nfc("Hoµng ThÞ BÐ")]) == {"TCVN3": ["Hoàng Thị Bé"]}
