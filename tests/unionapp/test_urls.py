"""Walks the URLconf: every page but the public ones needs login, and every view of ours
declares the capability it needs (``@requires``) or that it needs none (``@no_capability``)."""

import re

from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = {"healthz", "login", "set_language"}


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue  # Django's admin guards itself (staff only); tested below
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def sample_url(route: str) -> str:
    route = re.sub(r"<int:\w+>", "1", route)
    route = re.sub(r"<(?:str:|slug:)?\w+>", "x", route)
    return "/" + route.lstrip("^").rstrip("$")


def our_patterns():
    return [(route, p) for route, p in walk(get_resolver().url_patterns)]


def test_every_page_but_the_public_ones_requires_login(client, db):
    for route, pattern in our_patterns():
        url = sample_url(route)
        response = client.get(url)
        if pattern.name in PUBLIC:
            assert response.status_code in (200, 302, 405), url
            continue
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_every_protected_view_declares_its_capability(db):
    for route, pattern in our_patterns():
        if pattern.name in PUBLIC or pattern.name in {"logout"}:
            continue
        assert hasattr(pattern.callback, "capability"), f"{route} ({pattern.name}) declares no capability"


def test_admin_is_for_staff_only(client, people):
    client.force_login(people.province)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(people.admin)
    assert client.get("/admin/").status_code == 200


def test_healthz_checks_the_database_without_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
