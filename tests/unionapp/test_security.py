import os
import re
import subprocess
import sys

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


def test_sessions_expire_after_inactivity():
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_COOKIE_AGE <= 12 * 3600


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
