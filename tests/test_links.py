"""Every link a user is shown leads to a page they may open: no button that ends in 403, 404 or an error.

Each demo account walks its pages from the landing page, following every link on every page (at most two
links of one shape, e.g. two member pages, so that the walk stays short) and reading each file it downloads.
The access table (tests/test_access.py) says who may open what; this says that the pages only offer that."""

import html
import re
from collections import Counter, deque
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User

from unionapp import demo

HREF = re.compile(r'<a\b[^>]*\bhref="([^"#]*)"')
NOT_PAGES = ("/static/", "/admin/", "/favicon")


def shape(url: str) -> str:
    parts = urlsplit(url)
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(sorted(re.findall(r"(\w+)=", parts.query))))


def walk(client, start="/"):
    """The links that did not answer 200 (url, the page that showed it, status) and the number of pages read."""
    shapes, seen, broken = Counter(), {start}, []
    queue = deque([(start, None)])
    while queue:
        url, source = queue.popleft()
        response = client.get(url, follow=True)
        if response.status_code != 200:
            broken.append((url, source, response.status_code))
            continue
        if response.streaming:
            b"".join(response.streaming_content)
            continue
        if not response["Content-Type"].startswith("text/html"):
            continue
        for href in HREF.findall(response.content.decode()):
            href = html.unescape(href)
            if href.startswith("?"):
                href = response.request["PATH_INFO"] + href
            if not href.startswith("/") or href.startswith(NOT_PAGES) or href in seen:
                continue
            seen.add(href)
            if shapes[shape(href)] < 2:
                shapes[shape(href)] += 1
                queue.append((href, url))
    return broken, len(seen)


@pytest.fixture
def demo_province(db):
    demo.seed_small()


@pytest.mark.parametrize("username", [account[0] for account in demo.DEMO_ACCOUNTS])
def test_every_link_shown_to_a_user_opens(client, demo_province, username):
    client.force_login(User.objects.get(username=username))
    broken, pages = walk(client)
    assert broken == []
    assert pages > 20  # the walk went through the app, not just the landing page
