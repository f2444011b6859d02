"""Every page a demo account reaches by following the links the app shows it, on the demo data (as `make run`
serves it, static files as in production), in Vietnamese and in English: each link opens (no error, no 403 or
404 behind a link the user was shown), and no page shows "None", template code, an ISO date or a comma between
thousands (the English board once said "None." for an empty column).

A few pages of each kind: a kind is a path with its numbers left out and the names of its query parameters (the
member list sorted by name or by date is one kind, every member's page another); the first three met are read."""

import re
from collections import Counter, deque
from html import unescape
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client, override_settings

from tests.conftest import data_for_the_module
from unionapp import demo, guide

HREF = re.compile(r'href="([^"#]*)(?:#[^"]*)?"')
HIDDEN = re.compile(r"<(script|style)\b.*?</\1>|<!--.*?-->", re.S)
TAG = re.compile(r"<[^>]+>")
PROBLEMS = {
    "None": re.compile(r"\bNone\b"),
    "template code": re.compile(r"\{\{|\{%|%\}|\}\}"),
    "ISO date": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    "comma thousands": re.compile(r"\b\d{1,3}(?:,\d{3})+(?![\d,])"),
}
PER_KIND = 3
NUMBER = re.compile(r"\d+")
DOWNLOADS = ("application/vnd.openxmlformats", "text/csv", "application/pdf", "application/octet-stream")


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    yield from data_for_the_module(django_db_blocker, lambda: demo.seed_small())


@pytest.fixture(scope="module")
def production_static(tmp_path_factory):
    """Static files as production serves them: collected, with hashed names from a manifest. A page naming a
    file that is not there fails then (a server error), where the development storage let it through."""
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    # The guide is rendered once per change of its file, with its pictures' static names: rendered again here,
    # and again after, so that neither storage's names outlive it.
    guide._render.cache_clear()
    with override_settings(STATIC_ROOT=tmp_path_factory.mktemp("static"), STORAGES=storages):
        call_command("collectstatic", "--noinput", verbosity=0)
        yield
    guide._render.cache_clear()


def visible_text(html: str) -> str:
    return " ".join(unescape(TAG.sub(" ", HIDDEN.sub(" ", html))).split())


def crawl(client: Client, start: str) -> tuple[dict[str, int], list[str]]:
    """The pages reached from ``start`` (url: status) and what is wrong with them."""
    kinds, statuses, problems = Counter(), {}, []
    queue = deque([(start, start)])
    while queue:
        url, came_from = queue.popleft()
        parts = urlsplit(url)
        kind = (NUMBER.sub("N", parts.path), frozenset(k for k, _v in parse_qsl(parts.query, keep_blank_values=True)))
        if url in statuses or kinds[kind] >= PER_KIND:
            continue
        kinds[kind] += 1
        response = client.get(url)
        statuses[url] = response.status_code
        if response.status_code in (301, 302):
            queue.append((urljoin(url, response["Location"]), came_from))
            continue
        if response.status_code != 200:
            problems.append(f"{url} (linked from {came_from}): {response.status_code}")
            continue
        if response.streaming or response["Content-Type"].startswith(DOWNLOADS):
            if response.streaming:  # read to the end, which closes it (the test client keeps the connection)
                b"".join(response.streaming_content)
            continue  # a download: its content has tests of its own
        html = response.content.decode()
        text = visible_text(html)
        for name, pattern in PROBLEMS.items():
            if found := pattern.search(text):
                problems.append(f"{url}: {name}: …{text[max(0, found.start() - 40) : found.end() + 40]}…")
        for href in HREF.findall(html):
            target = urlsplit(urljoin(url, unescape(href)))
            if target.scheme in ("http", "https") and target.netloc not in ("", "testserver"):
                continue  # another site
            if not target.path.startswith("/") or target.path.startswith(("/static/", "/admin/", "/media/")):
                continue
            queue.append((target.path + (f"?{target.query}" if target.query else ""), url))
    return statuses, problems


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("username", [account[0] for account in demo.DEMO_ACCOUNTS])
def test_every_page_a_demo_account_reaches_opens_and_reads_right(db, demo_data, production_static, username, language):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # as the language menu leaves it
    client.force_login(User.objects.get(username=username))
    statuses, problems = crawl(client, "/")
    assert problems == []
    # The crawl went through the app, not one page: lists and records of the account's part of the tree.
    assert len(statuses) > 30, sorted(statuses)
    assert any(re.search(r"/members/\d+/$", url) for url in statuses)
    assert f'<html lang="{language}">' in client.get("/help/").content.decode()  # read in that language
    if username != "chidoan":  # a cell secretary has no reports
        assert any("/report/" in url for url in statuses)
