from django.urls import reverse
from django.utils import timezone

from members.models import Rating, YearRating


def test_a_secretary_rates_the_whole_cell_on_one_page(client, people, tree, members):
    a, b = members[tree.C1]
    year = timezone.localdate().year - 1
    client.force_login(people.secretary)
    page = client.get(reverse("cell_rating", args=[tree.C1.pk]), {"year": year})
    assert "Hoàn thành xuất sắc nhiệm vụ" in page.content.decode()
    client.post(
        reverse("cell_rating", args=[tree.C1.pk]) + f"?year={year}",
        {f"m{a.pk}": Rating.EXCELLENT, f"m{b.pk}": Rating.DONE},
    )
    assert dict(YearRating.objects.filter(year=year).values_list("member", "rating")) == {
        a.pk: Rating.EXCELLENT,
        b.pk: Rating.DONE,
    }
    # Changing one and clearing the other, saved together.
    client.post(reverse("cell_rating", args=[tree.C1.pk]) + f"?year={year}", {f"m{a.pk}": Rating.GOOD, f"m{b.pk}": ""})
    assert dict(YearRating.objects.filter(year=year).values_list("member", "rating")) == {a.pk: Rating.GOOD}


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


def test_the_rating_page_opens_on_last_year_unless_one_of_its_years_is_asked(client, people, tree):
    this_year = timezone.localdate().year
    client.force_login(people.secretary)
    url = reverse("cell_rating", args=[tree.C1.pk])
    for asked, shown in ((None, this_year - 1), (this_year, this_year), (this_year - 4, this_year - 4),
                         (this_year - 5, this_year - 1), (this_year + 1, this_year - 1), ("abc", this_year - 1)):  # fmt: skip
        html = client.get(url, {} if asked is None else {"year": asked}).content.decode()
        assert f"Xếp loại đoàn viên năm {shown}</h1>" in html, asked
