from django.urls import reverse

from unionapp import demo


def test_login_page_is_vietnamese(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Đăng nhập" in body and 'lang="vi"' in body
    assert 'name="username"' in body and 'name="password"' in body


def test_a_wrong_password_gets_a_vietnamese_message_without_a_hint(client, people):
    wrong_password = client.post("/accounts/login/", {"username": "bithu", "password": "sai"})
    no_such_user = client.post("/accounts/login/", {"username": "khongtontai", "password": "sai"})
    message = "Tên đăng nhập hoặc mật khẩu không đúng"
    assert message in wrong_password.content.decode()
    assert wrong_password.content.decode().count(message) == no_such_user.content.decode().count(message)
    assert "_auth_user_id" not in client.session


def test_each_demo_account_lands_on_its_page(client, db):
    demo.seed_small()
    landing = {"tinh": "LS", "huyen": "LS-CL", "xa": "LS-CL-QL", "chidoan": "LS-CL-QL-BT"}
    for username, code in landing.items():
        client.logout()
        response = client.post("/accounts/login/", {"username": username, "password": demo.DEMO_PASSWORD}, follow=True)
        assert response.status_code == 200
        assert response.context["unit"].code == code, username


def test_a_user_without_assignment_is_told_so(client, people):
    client.force_login(people.outsider)
    response = client.get(reverse("home"))
    assert "chưa được phân công" in response.content.decode()


def test_password_change_is_vietnamese(client, people):
    client.force_login(people.secretary)
    response = client.get(reverse("password_change"))
    assert "Mật khẩu cũ" in response.content.decode()


def test_vietnamese_is_spoken_even_to_a_browser_set_to_english(client, people):
    # Many offices' computers and phones are set to English; their users read Vietnamese first.
    english_browser = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
    assert "Đăng nhập" in client.get(reverse("login"), **english_browser).content.decode()
    client.force_login(people.secretary)
    response = client.get(reverse("password_change"), **english_browser)
    assert "Mật khẩu cũ" in response.content.decode() and response["Content-Language"] == "vi"
    chosen = client.post(reverse("set_language"), {"language": "en", "next": "/"}).cookies["django_language"]
    assert chosen["max-age"] == 365 * 24 * 3600  # remembered on that device, not only until the browser closes
    assert "Old password" in client.get(reverse("password_change"), **english_browser).content.decode()


def test_english_can_be_chosen(client, people):
    client.force_login(people.secretary)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("password_change"))
    assert "Old password" in response.content.decode()


def test_seed_demo_is_deterministic_and_safe_to_run_twice(db):
    from members.models import Member

    assert demo.seed_small() is True
    first = list(Member.objects.order_by("pk").values_list("full_name", "date_of_birth", "citizen_id"))
    assert 150 <= len(first) <= 600
    assert demo.seed_small() is False
    assert list(Member.objects.order_by("pk").values_list("full_name", "date_of_birth", "citizen_id")) == first
