"""Vietnamese text handling: NFC, accent folding for search, register ordering, phones, IDs."""

import functools
import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Characters that are never part of a name or an address line.
_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def nfc(value: str | None) -> str:
    """Composed Unicode, control characters removed, runs of spaces collapsed, trimmed; "Ð" (the Icelandic eth)
    written for "Đ" made "Đ" again."""
    if not value:
        return ""
    value = unicodedata.normalize("NFC", str(value)).translate(_CONTROL)
    if ("Ð" in value or "ð" in value) and not any(c in _OLD_FONT_SIGNS for c in value.translate(_ETH_AS_D)):
        # Text in Windows-1258 read as Western shows its Đ so ("Ðoàn"): no Vietnamese word has an eth. In text
        # typed in TCVN3, which writes "é" with that code ("BÐ"), the font's other codes tell it: left as it is.
        value = value.translate(_ETH_AS_D)
    return _SPACES.sub(" ", value).strip()


# Signs of a text typed in an old Vietnamese font (TCVN3 ".VnTime", VNI) and read as Unicode: letters the
# font drew as "ă", "đ", "à", "ư" are these Latin-1 characters, which no Vietnamese word has ("Lª V¨n §¹t",
# "Nguyeãn Vaên Ñoaøn"). A text that also has a Vietnamese letter of its own (ă, đ, ơ, ư, ạ ... ỹ) is Unicode.
_OLD_FONT_SIGNS = frozenset("¨©ª«¬\xad®µ¶¸¹»¼½¾ÆÇËÎÏÐÑÖ×ØÜÞßäåæçëîïñö÷øûüþ")  # not "·", a middle dot in addresses
_ETH_AS_D = str.maketrans("Ðð", "Đđ")
_VIETNAMESE_LETTERS = re.compile("[ĂăĐđĨĩŨũƠơƯư\u1ea0-\u1ef9]")


def in_old_font(value: str | None) -> bool:
    """Whether ``value`` reads as text typed in TCVN3 or VNI, shown garbled: with an old font's signs
    ("NguyÔn V¨n An"), or with letters of Vietnamese looks that make no Vietnamese word until read in an old
    font ("Traàn Quoác Tuaán", VNI for "Trần Quốc Tuấn")."""
    if not value or value.isascii() or _VIETNAMESE_LETTERS.search(value):
        return False
    if any(c in _OLD_FONT_SIGNS for c in value):
        return True
    return not _reads_as_vietnamese(value) and bool(old_font_readings([value]))


# --- text typed in an old font, read back --------------------------------------------------------------------
# TCVN3 (the ".VnTime" fonts): one byte a letter. Each vowel: the letter, then with grave, acute, hook, tilde, dot.
_TCVN3 = {
    **dict(zip("àáảãạ", "µ¸¶·¹", strict=True)),
    **dict(zip("ăằắẳẵặ", "¨»¾¼½Æ", strict=True)),
    **dict(zip("âầấẩẫậ", "©ÇÊÈÉË", strict=True)),
    **dict(zip("èéẻẽẹ", "ÌÐÎÏÑ", strict=True)),
    **dict(zip("êềếểễệ", "ªÒÕÓÔÖ", strict=True)),
    **dict(zip("ìíỉĩị", "×ÝØÜÞ", strict=True)),
    **dict(zip("òóỏõọ", "ßãáâä", strict=True)),
    **dict(zip("ôồốổỗộ", "«åèæçé", strict=True)),
    **dict(zip("ơờớởỡợ", "¬êíëìî", strict=True)),
    **dict(zip("ùúủũụ", "ïóñòô", strict=True)),
    **dict(zip("ưừứửữự", "\xadõøö÷ù", strict=True)),
    **dict(zip("ỳýỷỹỵ", "úýûüþ", strict=True)),
    **dict(zip("đĂÂĐÊÔƠƯ", "®¡¢§£¤¥¦", strict=True)),
}
_FROM_TCVN3 = str.maketrans({code: letter for letter, code in _TCVN3.items()})

# VNI (the "VNI-Times" fonts): a letter, then a sign for its mark; a few letters of their own.
_TONE = {"acute": "\u0301", "grave": "\u0300", "hook": "\u0309", "tilde": "\u0303", "dot": "\u0323"}
_VNI_TONES = dict(zip("ùøûõï", ("acute", "grave", "hook", "tilde", "dot"), strict=True))
_VNI_HAT = dict(zip("âáàåãä", (None, "acute", "grave", "hook", "tilde", "dot"), strict=True))  # â ê ô
_VNI_BREVE = dict(zip("êéèúüë", (None, "acute", "grave", "hook", "tilde", "dot"), strict=True))  # ă
_VNI_LETTERS = {"ô": "ơ", "ö": "ư", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ", "ñ": "đ"}


def _from_vni(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        c = value[i]
        low = c.lower()
        base = _VNI_LETTERS.get(low, c if low in "aeouy" else None)
        base = base.upper() if base and c.isupper() else base
        sign = value[i + 1].lower() if i + 1 < len(value) else ""
        marks = ""
        if low in "aeo" and sign in _VNI_HAT:
            marks, tone = "\u0302", _VNI_HAT[sign]
        elif low == "a" and sign in _VNI_BREVE:
            marks, tone = "\u0306", _VNI_BREVE[sign]
        elif base and low in "aeouyôö" and sign in _VNI_TONES:
            tone = _VNI_TONES[sign]
        else:
            out.append(base or c)
            i += 1
            continue
        out.append(unicodedata.normalize("NFC", (base or c) + marks + (_TONE[tone] if tone else "")))
        i += 2
    return "".join(out)


_TONE_MARKS = frozenset(_TONE.values())
_INITIALS = ("ngh", "ng", "gh", "gi", "kh", "nh", "ph", "qu", "th", "tr", "ch", *"bcdđghklmnprstvx", "")
_FINALS = ("ch", "nh", "ng", *"cmnpt", "")
_NUCLEI = frozenset(
    "a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui uô uơ uy ưa ưi ươ ưu "
    "iêu yê yêu oai oao oay oeo uây uôi ươi ươu uya uyê uyu ya".split()
)
# Latin-1 letters that are Vietnamese ones too; any other character of that range is an old font's code.
_LATIN1_VIETNAMESE = frozenset("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ·")
_WORD = re.compile(r"[^\W\d_]+")


def _syllable(word: str) -> bool:
    """Whether ``word`` is a Vietnamese syllable: an initial, a vowel group, a final, one tone at most."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(c in _TONE_MARKS for c in decomposed) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    if not any(c in "aăâeêioôơuưy" for c in bare):  # an abbreviation ("ĐT" in "GD-ĐT")
        return True
    return any(
        bare.startswith(initial) and bare.endswith(final) and bare[len(initial) : len(bare) - len(final)] in _NUCLEI
        for initial in _INITIALS
        for final in _FINALS
        if len(initial) + len(final) < len(bare) and not (initial == "qu" and bare[2] in "uư")
    )


def _reads_as_vietnamese(value: str) -> bool:
    return all(ord(c) < 0x80 or ord(c) > 0xFF or c in _LATIN1_VIETNAMESE for c in value) and all(
        w.isascii() or _syllable(w) for w in _WORD.findall(value)
    )


OLD_FONTS = {"TCVN3": lambda value: value.translate(_FROM_TCVN3), "VNI": _from_vni}


def old_font_readings(values: list[str]) -> dict[str, list[str]]:
    """{font: ``values`` read back from it} for each old font (TCVN3, VNI) in which every word of every value is
    a Vietnamese syllable: "NguyÔn V¨n An" reads as "Nguyễn Văn An" in TCVN3 only, "Nguyeãn Vaên An" in VNI only;
    a short "Tæ" reads in both ("Tổ", "Tỉ"); a name that is no Vietnamese syllable ("K'Br«") in neither."""
    readings = {}
    for font, read in OLD_FONTS.items():
        read_values = [nfc(read(v)) for v in values]
        if all(_reads_as_vietnamese(v) for v in read_values):
            readings[font] = read_values
    return readings


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
