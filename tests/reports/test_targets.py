from django.urls import reverse

from reports.models import Target, TargetChange
from tests.reports.conftest import Y


def grid(unit_values: dict) -> dict:
    data = {}
    for unit, (u, f, p) in unit_values.items():
        data.update({f"u{unit.pk}_union": u, f"u{unit.pk}_federation": f, f"u{unit.pk}_party": p})
    return data


def test_the_province_sets_its_districts_targets_on_one_page(client, people, tree):
    client.force_login(people.province)
    url = reverse("targets", args=[tree.P.pk]) + f"?year={Y}"
    page = client.get(url)
    assert [u.code for u, _ in page.context["form"].rows()] == ["P", "B3", "D2", "D1"]  # its own line, then children
    response = client.post(
        url, grid({tree.P: (100, 50, 10), tree.D1: (60, 30, ""), tree.D2: (30, "", ""), tree.B3: (10, 20, "")})
    )
    assert response.status_code == 302
    assert Target.objects.get(unit=tree.D1, year=Y).union == 60
    assert Target.objects.get(unit=tree.D2, year=Y).federation is None
    assert TargetChange.objects.filter(year=Y).count() == 8  # one per value given


def test_children_that_do_not_add_up_are_pointed_out_without_blocking(client, people, tree):
    client.force_login(people.province)
    url = reverse("targets", args=[tree.P.pk]) + f"?year={Y}"
    client.post(url, grid({tree.P: (100, "", ""), tree.D1: (60, "", ""), tree.D2: (30, "", ""), tree.B3: (5, "", "")}))
    assert Target.objects.get(unit=tree.D1, year=Y).union == 60
    page = client.get(url).content.decode()
    assert "tổng chỉ tiêu các đơn vị trực thuộc là 95, chỉ tiêu của đơn vị là 100" in page


def test_every_change_keeps_who_when_old_and_new(client, people, tree):
    client.force_login(people.province)
    url = reverse("targets", args=[tree.P.pk]) + f"?year={Y}"
    client.post(url, grid({tree.P: ("", "", ""), tree.D1: (60, "", ""), tree.D2: ("", "", ""), tree.B3: ("", "", "")}))
    client.post(url, grid({tree.P: ("", "", ""), tree.D1: (70, "", ""), tree.D2: ("", "", ""), tree.B3: ("", "", "")}))
    change = TargetChange.objects.filter(unit=tree.D1).first()
    assert (change.old, change.new, change.by, change.field) == (60, 70, people.province, "union")
    assert "60 → 70" in client.get(url).content.decode()


def test_bad_numbers_are_refused_and_nothing_typed_is_lost(client, people, tree):
    client.force_login(people.province)
    url = reverse("targets", args=[tree.P.pk]) + f"?year={Y}"
    response = client.post(
        url, grid({tree.P: ("", "", ""), tree.D1: (-5, "", ""), tree.D2: ("abc", "", ""), tree.B3: (12, "", "")})
    )
    body = response.content.decode()
    assert "Chỉ tiêu không được âm." in body and "Hãy nhập số nguyên." in body
    assert 'value="12"' in body
    assert not Target.objects.exists()


def test_a_district_sets_its_base_unions_but_not_its_own_line(client, people, tree):
    client.force_login(people.district)
    url = reverse("targets", args=[tree.D1.pk]) + f"?year={Y}"
    assert [u.code for u, _ in client.get(url).context["form"].rows()] == ["B1"]
    client.post(url, grid({tree.B1: (8, 4, 1), tree.D1: (999, "", "")}))
    assert Target.objects.get(unit=tree.B1, year=Y).union == 8
    assert not Target.objects.filter(unit=tree.D1).exists()
