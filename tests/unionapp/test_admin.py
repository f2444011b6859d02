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
