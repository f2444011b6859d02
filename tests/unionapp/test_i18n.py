"""The English catalogue is complete and compiled: every message of ours has a translation."""

import gettext
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def unescape(s: str) -> str:
    return s.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def po_entries(with_context=False):
    """(msgid, msgstr) pairs of the singular entries, read without a third-party parser; with ``with_context``,
    (context or None, msgid, msgstr)."""
    entries, key, current = [], None, {}
    for line in PO.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith(("msgctxt ", "msgid ", "msgstr ", "msgid_plural ", "msgstr[")):
            key, _, rest = line.partition(" ")
            current[key] = unescape(rest[1:-1])
        elif line.startswith('"') and key:
            current[key] += unescape(line[1:-1])
        elif not line.strip():
            if current.get("msgid") and "msgid_plural" not in current:
                entry = (current["msgid"], current.get("msgstr", ""))
                entries.append((current.get("msgctxt"), *entry) if with_context else entry)
            current, key = {}, None
    return entries


def test_every_message_has_an_english_translation():
    entries = po_entries()
    assert len(entries) > 200
    assert [msgid for msgid, msgstr in entries if not msgstr] == []


def test_the_compiled_catalogue_matches_the_source():
    with open(PO.with_suffix(".mo"), "rb") as f:
        mo = gettext.GNUTranslations(f)
    stale = [
        msgid
        for context, msgid, msgstr in po_entries(with_context=True)
        if (mo.pgettext(context, msgid) if context else mo.gettext(msgid)) != msgstr
    ]
    assert stale == [], "run: make messages"
