import os
import re
import subprocess
import sys
from datetime import timedelta

from django.conf import settings
from django.urls import reverse

from tests.factories import make_user


def login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password}, follow=True)


def test_repeated_failures_lock_the_account_with_a_vietnamese_message(client, people):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "bithu", "sai")
    response = login(client, "bithu", "doan1931-test")  # even the right password now
    assert "Đăng nhập sai quá nhiều lần nên tài khoản tạm bị khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_administrator_unlocks_the_account(client, people):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "bithu", "sai")
    admin = client.__class__()
    admin.force_login(people.admin)
    attempt = AccessAttempt.objects.get(username="bithu")
    admin.post(
        "/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"}
    )
    assert not AccessAttempt.objects.exists()
    response = login(client, "bithu", "doan1931-test")
    assert response.context["unit"].code == "C1"


def test_other_accounts_are_not_locked_by_one_users_mistakes(client, people):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "bithu", "sai")
    response = login(client, "canboxa", "doan1931-test")
    assert "_auth_user_id" in client.session and response.status_code == 200


def test_weak_passwords_are_refused(client, people):
    client.force_login(people.secretary)
    response = client.post(
        reverse("password_change"),
        {"old_password": "doan1931-test", "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200 and "Mật khẩu" in response.content.decode()
    user = people.secretary.__class__.objects.get(pk=people.secretary.pk)
    assert user.check_password("doan1931-test")


def _stored_session(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key)


def _session_writes(queries):
    return [q["sql"] for q in queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]


def test_a_session_ends_after_hours_of_inactivity(client, people):
    from django.utils import timezone

    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    client.force_login(people.secretary)
    assert client.get(reverse("member_list")).status_code == 200
    # Left alone past its expiry (the age counted from the last save): the next request must sign in again.
    _stored_session(client).__class__.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("member_list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_page_views_push_the_expiry_back_every_few_minutes_not_on_every_request(client, people, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from unionapp import sessions

    client.force_login(people.secretary)
    at_login = _stored_session(client).expire_date
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("member_list"))
        client.get(reverse("referral_list"))
    assert _session_writes(ctx.captured_queries) == []  # minutes after login: nothing written
    assert _stored_session(client).expire_date == at_login
    later = sessions.time.time() + sessions.REFRESH_SECONDS + 1
    monkeypatch.setattr(sessions.time, "time", lambda: later)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("member_list"))
    assert len(_session_writes(ctx.captured_queries)) == 1
    assert _stored_session(client).expire_date > at_login
    assert client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE


def test_an_anonymous_visit_stores_no_session(client, db):
    from django.contrib.sessions.models import Session

    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("member_list")).status_code == 302
    assert not Session.objects.exists()


def test_production_settings_pass_the_deploy_check():
    # (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for this process; a server never has it)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(DEBUG="false", SECRET_KEY="x9" * 30 + "-production-like-key", ALLOWED_HOSTS="doan.example.vn")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DEBUG="false")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_pages_carry_a_content_security_policy_without_inline_scripts(client, people, tree):
    client.force_login(people.province)
    for url in ("/", reverse("dashboard", args=[tree.P.pk]), reverse("referral_create"), reverse("member_list")):
        response = client.get(url, follow=True)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "default-src 'self'" in policy
        scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", response.content.decode())
        assert scripts == [], url
        assert " on" + "change=" not in response.content.decode() and " on" + "click=" not in response.content.decode()


def test_a_new_user_starts_without_access(client, db):
    user = make_user("moi")
    client.force_login(user)
    assert "chưa được phân công" in client.get("/").content.decode()


def test_a_server_error_says_nothing_was_saved_in_both_languages_and_nothing_else(
    client, people, settings, monkeypatch
):
    """The 500 page is static (it must render whatever broke): Vietnamese first, English below, no detail."""
    from unionapp import views

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail of the failure")

    monkeypatch.setattr(views, "render", broken)  # the unit page fails while rendering
    settings.DEBUG = False
    client.raise_request_exception = False
    client.force_login(people.province)
    response = client.get(reverse("unit_detail", args=[people.province.assignments.get().unit_id]))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Dữ liệu bạn vừa nhập chưa được lưu" in page and "What you just entered was not saved" in page
    assert "secret detail" not in page and "Traceback" not in page
