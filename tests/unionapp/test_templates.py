import re
from pathlib import Path

from django.conf import settings

# Django's {# … #} comment ends on its own line; one left open is printed on the page as text.
OPEN_COMMENT = re.compile(r"\{#(?![^\n]*#\})")


def test_no_template_prints_a_comment_meant_for_developers():
    templates = [p for d in settings.TEMPLATES[0]["DIRS"] for p in Path(d).rglob("*.html")]
    assert len(templates) > 50
    open_comments = [
        f"{p}:{text[: m.start()].count(chr(10)) + 1}"
        for p in templates
        for text in [p.read_text()]
        for m in OPEN_COMMENT.finditer(text)
    ]
    assert open_comments == [], "use {% comment %} for a comment over several lines"
