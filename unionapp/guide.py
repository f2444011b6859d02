"""The user guide inside the app: ``docs/user-guide.md``, the text the repository shows, rendered once per
change of the file; its screenshots are static files under ``guide/`` (settings.STATICFILES_DIRS)."""

import functools
import re
import struct
from pathlib import Path

import markdown
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

from unionapp.models import Role

GUIDE = Path(settings.BASE_DIR) / "docs" / "user-guide.md"
# The guide has one numbered section per role: "## 1. Bí thư chi đoàn ...".
SECTION_OF_ROLE = {Role.CELL_SECRETARY: 1, Role.BASE_OFFICER: 2, Role.DISTRICT_STAFF: 3, Role.PROVINCE_OFFICE: 4}


def anchor(role) -> str:
    """The part of the guide written for ``role`` ("" for none)."""
    return f"muc-{SECTION_OF_ROLE[role]}" if role in SECTION_OF_ROLE else ""


def url_for(role) -> str:
    section = anchor(role)
    return reverse("help") + (f"#{section}" if section else "")


def html() -> tuple[str, list[tuple[str, str]]]:
    """The guide as HTML, and its sections as (anchor, title)."""
    return _render(GUIDE.stat().st_mtime_ns)


def _picture(m) -> str:
    """A screenshot, loaded when scrolled to, with its size given so that the page does not shift meanwhile
    (and a link to a section lands where it should)."""
    alt, name = m[1], m[2]
    with open(GUIDE.parent / "screenshots" / name, "rb") as f:
        head = f.read(24)  # PNG: signature, IHDR length and type, then width and height
    width, height = struct.unpack(">II", head[16:24])
    return (
        f'<img alt="{alt}" loading="lazy" class="img-fluid border rounded my-2" width="{width}" height="{height}" '
        f'src="{static("guide/" + name)}"'
    )


@functools.lru_cache(maxsize=1)
def _render(_changed) -> tuple[str, list[tuple[str, str]]]:
    body = markdown.markdown(GUIDE.read_text(encoding="utf-8"), output_format="html")
    body = re.sub(r'<img alt="([^"]*)" src="screenshots/([^"]+)"', _picture, body)
    sections = []

    def numbered(m):
        title = m[1]
        number = re.match(r"(\d+)\. ", title)
        section = f"muc-{number[1]}" if number else f"muc-x{len(sections) + 1}"
        sections.append((section, title))
        return f'<h2 id="{section}">{title}</h2>'

    return re.sub(r"<h2>(.*?)</h2>", numbered, body), sections
