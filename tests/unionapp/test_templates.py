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


def test_a_form_wide_error_is_shown_once(client, people, tree):
    # Pages drawn by crispy-forms and pages drawn field by field: one alert, once (it used to be shown twice).
    from datetime import date

    from django.urls import reverse

    from tests.factories import make_member, make_referral

    member = make_member(tree.C1, joined_on=date(2020, 1, 1))
    referral = make_referral(tree.C1, people.secretary)
    response = client.post(reverse("login"), {"username": "bithu", "password": "sai"})
    assert response.content.decode().count("Tên đăng nhập hoặc mật khẩu không đúng.") == 1
    client.force_login(people.secretary)
    pages = [
        (reverse("member_status", args=[member.pk]), {"to_status": "away", "date": "01/01/2019", "reason": "x"},
         "không được trước ngày vào Đoàn"),
        (reverse("member_transfer", args=[member.pk]), {"to_cell_code": "C3", "date": "01/01/2019", "reason": "x"},
         "không được trước ngày vào Đoàn"),
        (reverse("referral_step", args=[referral.pk, "review"]),
         {"review_date": "01/05/2026", "votes_present": "12", "votes_for": "11"}, "Không thể chuyển hồ sơ"),
    ]  # fmt: skip
    for url, data, error in pages:
        body = client.post(url, data).content.decode()
        assert body.count(error) == 1, url
        assert body.count('role="alert"') == 1, url
