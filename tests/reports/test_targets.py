from django.urls import reverse
from django.utils import timezone

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


def test_next_years_grid_can_be_filled_in_from_this_years_and_nothing_is_saved_until_asked(client, people, tree):
    """Planning at the year's end: the lines without a target next year take this year's, to adjust; lines that
    already have one keep it; nothing is written before "Lưu chỉ tiêu"."""
    for unit, values in [(tree.P, (100, 50, 10)), (tree.D1, (60, 30, 4)), (tree.D2, (30, None, 2))]:
        Target.objects.create(unit=unit, year=Y, union=values[0], federation=values[1], party=values[2])
    Target.objects.create(unit=tree.D2, year=Y + 1, union=35)
    client.force_login(people.province)
    url = reverse("targets", args=[tree.P.pk])

    page = client.get(url, {"year": Y + 1}).content.decode()
    assert f"Điền sẵn theo chỉ tiêu năm {Y} (2 đơn vị chưa có chỉ tiêu)" in page  # P and D1; B3 had none
    response = client.get(url, {"year": Y + 1, "copy": 1})
    form = response.context["form"]
    values = {u.code: [form[form.key(u, f)].value() for f in ("union", "federation", "party")] for u, _ in form.rows()}
    assert values == {"P": [100, 50, 10], "B3": [None, None, None], "D2": [35, None, None], "D1": [60, 30, 4]}
    html = response.content.decode()
    assert f"Đã điền sẵn 2 đơn vị theo chỉ tiêu năm {Y}. Chưa lưu" in html and "data-dirty" in html
    assert Target.objects.filter(year=Y + 1).count() == 1  # still only D2's

    client.post(f"{url}?year={Y + 1}", grid({tree.P: (110, 50, 10), tree.D1: (60, 30, 4), tree.D2: (35, "", ""),
                                              tree.B3: ("", "", "")}))  # fmt: skip
    saved = {t.unit.code: (t.union, t.federation, t.party) for t in Target.objects.filter(year=Y + 1)}
    assert saved == {"P": (110, 50, 10), "D1": (60, 30, 4), "D2": (35, None, None)}
    page = client.get(url, {"year": Y + 1}).content.decode()
    assert "Điền sẵn theo chỉ tiêu năm" not in page  # every line that had one last year has one now


def test_a_district_fills_in_only_its_base_unions_from_last_year(client, people, tree):
    Target.objects.create(unit=tree.D1, year=Y, union=60)
    Target.objects.create(unit=tree.B1, year=Y, union=20)
    client.force_login(people.district)
    response = client.get(reverse("targets", args=[tree.D1.pk]), {"year": Y + 1, "copy": 1})
    form = response.context["form"]
    assert [u.code for u, _ in form.rows()] == ["B1"]  # its own line is set above it
    assert form[form.key(tree.B1, "union")].value() == 20
    assert client.get(reverse("targets", args=[tree.D2.pk]), {"year": Y + 1, "copy": 1}).status_code == 404


def test_the_targets_page_opens_this_year_unless_a_year_from_2000_to_next_year_is_asked(client, people, tree):
    this_year = timezone.localdate().year
    client.force_login(people.province)
    url = reverse("targets", args=[tree.P.pk])
    for asked, shown in ((None, this_year), (this_year + 1, this_year + 1), (2000, 2000),
                         (1999, this_year), (this_year + 2, this_year), ("x", this_year)):  # fmt: skip
        html = client.get(url, {} if asked is None else {"year": asked}).content.decode()
        assert f"Chỉ tiêu năm {shown} — {tree.P.name}" in html, asked
