"""The user guide inside the app: docs/user-guide.md, each role sent to its own part."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse


@pytest.mark.parametrize(
    ("who", "section", "title"),
    [
        ("secretary", "muc-1", "1. Bí thư chi đoàn"),
        ("officer", "muc-2", "2. Cán bộ Đoàn cơ sở"),
        ("district", "muc-3", "3. Cán bộ Huyện đoàn"),
        ("province", "muc-4", "4. Văn phòng Tỉnh đoàn"),
    ],
)
def test_each_role_is_sent_to_its_part_of_the_guide(client, people, tree, who, section, title):
    client.force_login(getattr(people, who))
    landing = client.get(reverse("home"), follow=True).content.decode()
    assert f'href="/help/#{section}">Hướng dẫn</a>' in landing  # the menu's link
    page = client.get(reverse("help")).content.decode()
    assert f'<h2 id="{section}">{title}' in page
    mine = re.search(r'<a href="#([\w-]+)">[^<]*</a> <span class="badge[^"]*">phần của bạn</span>', page)
    assert mine and mine[1] == section


def test_the_guide_is_rendered_whole_with_its_pictures(client, people, django_assert_max_num_queries):
    client.force_login(people.outsider)  # no role: the whole guide, no part pointed out
    with django_assert_max_num_queries(2):  # the session, the user with their roles
        page = client.get(reverse("help")).content.decode()
    article = re.search(r'<article class="guide" lang="vi" data-testid="guide">(.*)</article>', page, re.S)[1]
    assert "<h1>Hướng dẫn sử dụng</h1>" in article and "phần của bạn" not in page
    assert "**" not in article and "![" not in article and "make screenshots" not in re.sub(r"<!--.*?-->", "", article)
    pictures = re.findall(r'<img alt="([^"]+)" loading="lazy" [^>]*width="(\d+)" height="(\d+)" src="([^"]+)"', article)
    assert len(pictures) == article.count("<img") >= 15
    for _alt, width, height, src in pictures:
        assert src.startswith("/static/guide/") and finders.find(src.removeprefix("/static/"))
        assert int(width) > 300 and int(height) > 300
    sections = re.findall(r'<h2 id="(muc-[\w]+)">', article)
    assert sections[:4] == ["muc-1", "muc-2", "muc-3", "muc-4"] and len(set(sections)) == len(sections)


def test_in_english_the_guide_says_it_is_in_vietnamese(client, people):
    client.force_login(people.secretary)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("help")).content.decode()
    assert "The user guide is written in Vietnamese." in page and 'href="/help/#muc-1">Help</a>' in page
