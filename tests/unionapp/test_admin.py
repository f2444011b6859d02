from django.urls import reverse

from unionapp.models import Kind, Unit


def test_admin_moves_a_unit_and_keeps_the_paths_right(client, people, tree):
    client.force_login(people.admin)
    response = client.post(
        f"/admin/unionapp/unit/{tree.B1.pk}/change/",
        {"name": "Đoàn xã Một (mới)", "code": "B1", "parent": tree.D2.pk, "is_active": "on"},
    )
    assert response.status_code == 302
    tree.C1.refresh_from_db()
    assert tree.C1.path.startswith(tree.D2.path)
    assert Unit.objects.get(code="B1").name == "Đoàn xã Một (mới)"


def test_admin_refuses_a_cell_under_a_province(client, people, tree):
    client.force_login(people.admin)
    response = client.post(
        "/admin/unionapp/unit/add/",
        {"name": "Sai", "code": "X", "kind": Kind.CELL, "parent": tree.P.pk, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "không thể trực thuộc" in response.content.decode()
    assert not Unit.objects.filter(code="X").exists()


def test_admin_adds_a_unit_with_its_path(client, people, tree):
    client.force_login(people.admin)
    response = client.post(
        "/admin/unionapp/unit/add/",
        {"name": "Chi đoàn mới", "code": "C9", "kind": Kind.CELL, "parent": tree.B3.pk, "is_active": "on"},
    )
    assert response.status_code == 302
    unit = Unit.objects.get(code="C9")
    assert unit.path == f"{tree.B3.path}{unit.pk}/"


def test_a_password_an_administrator_sets_in_admin_is_temporary(client, people, tree):
    """As on the accounts pages: its holder chooses their own before anything else; the trail says who set it."""
    from django.test import Client

    from unionapp.models import AuditEvent, TemporaryPassword

    password = "Tuoi-tre-1931"
    client.force_login(people.admin)
    url = f"/admin/auth/user/{people.secretary.pk}/password/"
    response = client.post(url, {"password1": password, "password2": password, "usable_password": "true"})
    assert response.status_code == 302
    assert TemporaryPassword.objects.filter(user=people.secretary, set_by=people.admin).exists()
    assert AuditEvent.objects.filter(object_id=str(people.secretary.pk), changes__has_key="password").exists()
    secretary = Client()
    assert secretary.post(reverse("login"), {"username": "bithu", "password": password}).status_code == 302
    response = secretary.get(f"/units/{tree.C1.pk}/")
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
    # An account the administrator adds there starts the same way.
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "moi",
            "password1": password,
            "password2": password,
            "usable_password": "true",
            "assignments-TOTAL_FORMS": "0",
            "assignments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert TemporaryPassword.objects.filter(user__username="moi").exists()


def test_an_administrators_own_password_changed_in_admin_is_not_temporary(client, people):
    from unionapp.models import TemporaryPassword

    client.force_login(people.admin)
    password = "Tuoi-tre-1931"
    response = client.post(
        f"/admin/auth/user/{people.admin.pk}/password/",
        {"password1": password, "password2": password, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert not TemporaryPassword.objects.filter(user=people.admin).exists()
