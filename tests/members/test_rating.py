from django.urls import reverse

from members.models import Rating, YearRating


def test_a_secretary_rates_the_whole_cell_on_one_page(client, people, tree, members):
    a, b = members[tree.C1]
    client.force_login(people.secretary)
    page = client.get(reverse("cell_rating", args=[tree.C1.pk]), {"year": 2025})
    assert "Hoàn thành xuất sắc nhiệm vụ" in page.content.decode()
    client.post(
        reverse("cell_rating", args=[tree.C1.pk]) + "?year=2025",
        {f"m{a.pk}": Rating.EXCELLENT, f"m{b.pk}": Rating.DONE},
    )
    assert dict(YearRating.objects.filter(year=2025).values_list("member", "rating")) == {
        a.pk: Rating.EXCELLENT,
        b.pk: Rating.DONE,
    }
    # Changing one and clearing the other, saved together.
    client.post(reverse("cell_rating", args=[tree.C1.pk]) + "?year=2025", {f"m{a.pk}": Rating.GOOD, f"m{b.pk}": ""})
    assert dict(YearRating.objects.filter(year=2025).values_list("member", "rating")) == {a.pk: Rating.GOOD}


def test_rating_levels_have_the_official_names():
    assert [label for _, label in Rating.choices] == [
        "Hoàn thành xuất sắc nhiệm vụ",
        "Hoàn thành tốt nhiệm vụ",
        "Hoàn thành nhiệm vụ",
        "Không hoàn thành nhiệm vụ",
    ]


def test_the_district_cannot_rate(client, people, tree):
    client.force_login(people.district)
    assert client.get(reverse("cell_rating", args=[tree.C1.pk])).status_code == 403
