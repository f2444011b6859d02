"""Personas on a small tree with both shapes:

P  province
├── D1 district ── B1 base ── C1, C2 cells
├── D2 district ── B2 base ── C3 cell
└── B3 base (directly under the province, after July 2025) ── C4 cell
"""

import contextlib
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings
from django.utils import timezone, translation

from tests.factories import make_member, make_unit, make_user
from unionapp.models import Kind, Role


def pytest_collection_modifyitems(config, items):
    """Tests marked postgres_only (row locks, concurrent connections, pg_dump) run on PostgreSQL,
    sqlite_only ones (SQLite's backup API) on SQLite. The others are deselected, not skipped: CI
    runs the suite on both databases, so each runs once."""
    other = "sqlite_only" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "postgres_only"
    keep = [i for i in items if i.get_closest_marker(other) is None]
    dropped = [i for i in items if i.get_closest_marker(other) is not None]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


# A Vietnamese server's database sorts text by the language (vi_VN or en_US): letters first, "/" ignored at the
# first level. The PostgreSQL test database is made from a template with such a collation (ICU's, which needs no
# locale generated on the machine), so that an order or a range that holds only byte by byte fails here, not in
# production: the reports' summary rows once read a subtree by a range on a column without "C" collation.
VIETNAMESE_TEMPLATE = "unionapp_test_template_vi"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.postgresql":
        create_vietnamese_template(db)
        db.setdefault("TEST", {})["TEMPLATE"] = VIETNAMESE_TEMPLATE


def create_vietnamese_template(db) -> None:
    import psycopg2
    from psycopg2 import errors

    conn = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"] or None
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [VIETNAMESE_TEMPLATE])
            if cursor.fetchone() is None:
                with contextlib.suppress(errors.DuplicateDatabase):  # another test run made it a moment ago
                    cursor.execute(
                        f'CREATE DATABASE "{VIETNAMESE_TEMPLATE}" TEMPLATE template0 LOCALE_PROVIDER icu '
                        "ICU_LOCALE 'vi-VN-u-ka-shifted' LOCALE 'C.UTF-8'"
                    )
    finally:
        conn.close()


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # Real hashing costs ~0.3 s a user; tests create many users.
    settings.PASSWORD_HASHERS = FAST_HASHERS


def data_for_the_module(django_db_blocker, build):
    """Data built once for all the tests of a module, as Django's ``setUpTestData``: for a module-scoped
    fixture, ``yield from data_for_the_module(django_db_blocker, build)``. ``build()`` runs in a transaction
    left open for the module; each test's own transaction (its ``db`` fixture, which it must still ask for)
    is a savepoint inside it, rolled back after the test, so what a test writes never reaches the next one.
    The module's transaction is rolled back at the end. A test must not change the built objects in memory."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            data = build()
        yield data
    finally:  # after the module's tests, or when build() fails
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def default_language_after_each_test():
    # A request in English leaves English active in this thread (a server activates each request's
    # language anew); the next test must not inherit it.
    yield
    translation.deactivate()


# 20/11/2026, 10:00 in Vietnam: the day of the tests whose data is dated 2026 and whose pages show "this year".
IN_2026 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


@pytest.fixture
def in_2026(monkeypatch):
    """Today is 20/11/2026 for the app (``timezone.now`` and ``timezone.localdate``), whatever the machine's date:
    for tests of boards, dashboards and lists of "this year" over data dated 2026."""
    real_localdate = timezone.localdate
    monkeypatch.setattr(timezone, "now", lambda: IN_2026)
    monkeypatch.setattr(timezone, "localdate", lambda value=None, tz=None: real_localdate(value or IN_2026, tz))
    return IN_2026


@pytest.fixture
def tree(db):
    return build_tree()


def build_tree() -> SimpleNamespace:
    t = SimpleNamespace()
    t.P = make_unit(Kind.PROVINCE, name="Tỉnh đoàn Thử", code="P")
    t.D1 = make_unit(Kind.DISTRICT, t.P, name="Huyện đoàn Một", code="D1")
    t.D2 = make_unit(Kind.DISTRICT, t.P, name="Huyện đoàn Hai", code="D2")
    t.B1 = make_unit(Kind.BASE, t.D1, name="Đoàn xã Một", code="B1")
    t.B2 = make_unit(Kind.BASE, t.D2, name="Đoàn xã Hai", code="B2")
    t.B3 = make_unit(Kind.BASE, t.P, name="Đoàn phường Ba", code="B3")
    t.C1 = make_unit(Kind.CELL, t.B1, name="Chi đoàn Một", code="C1")
    t.C2 = make_unit(Kind.CELL, t.B1, name="Chi đoàn Hai", code="C2")
    t.C3 = make_unit(Kind.CELL, t.B2, name="Chi đoàn Ba", code="C3")
    t.C4 = make_unit(Kind.CELL, t.B3, name="Chi đoàn Bốn", code="C4")
    return t


@pytest.fixture
def people(tree):
    return build_people(tree)


def build_people(tree) -> SimpleNamespace:
    """One user per role, plus an outsider with no assignment and a superuser."""
    p = SimpleNamespace()
    p.secretary = make_user("bithu", Role.CELL_SECRETARY, tree.C1)
    p.officer = make_user("canboxa", Role.BASE_OFFICER, tree.B1)
    p.district = make_user("canbohuyen", Role.DISTRICT_STAFF, tree.D1)
    p.province = make_user("vanphong", Role.PROVINCE_OFFICE, tree.P)
    p.outsider = make_user("nguoingoai")
    p.admin = make_user("quantri", is_superuser=True, is_staff=True)
    return p


@pytest.fixture
def members(tree):
    """Two members in each cell."""
    return {cell: [make_member(cell), make_member(cell)] for cell in (tree.C1, tree.C2, tree.C3, tree.C4)}
