"""Headless Chromium (Debian's) driven by Playwright against Django's live server."""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from unionapp import demo

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made
# by the test itself (checking the database) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
NARROW_PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


@pytest.fixture
def demo_data(transactional_db):
    demo.seed_small()


@contextmanager
def page_in(browser, live_server, **options):
    """A page in a browser context of its own (its own cookies), on the live server, in Vietnamese."""
    context = browser.new_context(base_url=live_server.url, locale="vi-VN", **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_server):
    with page_in(browser, live_server, **PHONE) as page:
        yield page


@pytest.fixture
def narrow_phone(browser, live_server):
    """The narrowest phones in common use (360 px)."""
    with page_in(browser, live_server, **NARROW_PHONE) as page:
        yield page


@pytest.fixture
def desktop(browser, live_server):
    with page_in(browser, live_server, viewport={"width": 1280, "height": 900}) as page:
        yield page


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def shot(page, name):
    """Screenshots for the user guide, written when UNIONAPP_SCREENSHOTS=1 (make screenshots)."""
    if os.environ.get("UNIONAPP_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def axe_violations(page, impacts=("serious", "critical")):
    """Run axe-core in the page; the serious and critical violations, as (rule, help, first target)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], v["help"], v["nodes"][0]["target"] if v["nodes"] else None)
        for v in result["violations"]
        if v["impact"] in impacts
    ]


@pytest.fixture
def audited(browser, live_server):
    """A desktop page that lets axe-core be injected (the app's CSP allows no injected script)."""
    with page_in(browser, live_server, viewport={"width": 1280, "height": 900}, bypass_csp=True) as page:
        yield page


def login(page, username, password=demo.DEMO_PASSWORD):
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def fill_account(page, full_name, username, password):
    """The new account form, its unit and role left as the page chose them."""
    page.get_by_label("Họ và tên").fill(full_name)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu ban đầu").fill(password)
    page.get_by_label("Nhập lại mật khẩu").fill(password)
