"""Vietnamese text handling: NFC, accent folding for search, register ordering, phones, IDs."""

import functools
import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Characters that are never part of a name or an address line.
_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def nfc(value: str | None) -> str:
    """Composed Unicode, control characters removed, runs of spaces collapsed, trimmed."""
    if not value:
        return ""
    value = unicodedata.normalize("NFC", str(value)).translate(_CONTROL)
    return _SPACES.sub(" ", value).strip()


# Signs of a text typed in an old Vietnamese font (TCVN3 ".VnTime", VNI) and read as Unicode: letters the
# font drew as "ă", "đ", "à", "ư" are these Latin-1 characters, which no Vietnamese word has ("Lª V¨n §¹t",
# "Nguyeãn Vaên Ñoaøn"). A text that also has a Vietnamese letter of its own (ă, đ, ơ, ư, ạ ... ỹ) is Unicode.
_OLD_FONT_SIGNS = frozenset("¨©ª«¬\xad®µ¶¸¹»¼½¾ÆÇËÎÏÐÑÖ×ØÜÞßäåæçëîïñö÷øûüþ")  # not "·", a middle dot in addresses
_VIETNAMESE_LETTERS = re.compile("[ĂăĐđĨĩŨũƠơƯư\u1ea0-\u1ef9]")


def in_old_font(value: str | None) -> bool:
    """Whether ``value`` reads as text typed in TCVN3 or VNI, shown garbled ("NguyÔn V¨n An")."""
    return bool(value) and any(c in _OLD_FONT_SIGNS for c in value) and not _VIETNAMESE_LETTERS.search(value)


def fold(value: str | None) -> str:
    """Accent- and case-free form for search: "Nguyễn Văn Đạt" -> "nguyen van dat"."""
    value = nfc(value).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


# Vietnamese alphabetical order; f, j, w, z (foreign names) at their Latin places.
_ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
_LETTER_CODE = {letter: f"{i + 10:02d}" for i, letter in enumerate(_ALPHABET)}
# Tone order of Vietnamese dictionaries: level, grave, hook, tilde, acute, dot below.
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}


@functools.lru_cache(maxsize=16384)  # names repeat their words: "Nguyễn", "Thị", "Đoàn", "thôn"...
def _word_key(word: str) -> tuple[str, str]:
    letters, tones = [], []
    tone = "0"
    for ch in word.lower():
        if ch == "đ":
            letters.append(_LETTER_CODE["đ"])
            continue
        base, *marks = unicodedata.normalize("NFD", ch)
        letter = base
        for mark in marks:
            if mark in _TONES:
                tone = _TONES[mark]
            elif mark == "\u0302":
                letter = {"a": "â", "e": "ê", "o": "ô"}.get(base, base)
            elif mark == "\u0306":
                letter = "ă" if base == "a" else base
            elif mark == "\u031b":
                letter = {"o": "ơ", "u": "ư"}.get(base, base)
        code = _LETTER_CODE.get(letter)
        if code is None:
            code = "99" if not letter.isdigit() else f"0{letter}"[-2:]
        letters.append(code)
    tones.append(tone)
    return "".join(letters), "".join(tones)


def sort_key(full_name: str) -> str:
    """Register order: given name (the last word) first, then the family and middle names,
    letters before tones, in Vietnamese alphabetical order. Digits only, so every collation
    compares it the same way."""
    words = nfc(full_name).split(" ")
    if not words or words == [""]:
        return ""
    ordered = [words[-1], *words[:-1]]
    keys = [_word_key(w) for w in ordered]
    letters = "00".join(k[0] for k in keys)
    tones = "".join(k[1] for k in keys)
    return (letters + "00" + tones)[:250]


def collation_key(value: str) -> str:
    """Vietnamese alphabetical order of a whole string, word by word (unit names, labels)."""
    keys = [_word_key(w) for w in nfc(value).split(" ") if w]
    return "00".join(k[0] for k in keys) + "00" + "".join(k[1] for k in keys)


_NOT_DIGITS = re.compile(r"\D")


def normalise_phone(value: str | None) -> str:
    """ "+84 912 345 678", "0912.345.678" and "84912345678" are all "0912345678".
    Returns "" for empty input; raises ValueError when it cannot be a Vietnamese number."""
    value = nfc(value)
    if not value:
        return ""
    digits = _NOT_DIGITS.sub("", value)
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if not (digits.startswith("0") and len(digits) in (10, 11)):
        raise ValueError(value)
    return digits


def normalise_citizen_id(value: str | None) -> str | None:
    """12 digits or None; raises ValueError otherwise. Spaces and dots typed in between are dropped."""
    value = nfc(value).replace(" ", "").replace(".", "")
    if not value:
        return None
    if not (len(value) == 12 and value.isdigit()):
        raise ValueError(value)
    return value


def mask_citizen_id(value: str | None) -> str:
    return f"{'*' * 9}{value[-3:]}" if value else ""
