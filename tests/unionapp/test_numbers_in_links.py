"""Vietnamese number formatting (10.369) is for people: ids in links and form values stay plain digits."""

from datetime import date

from django.urls import reverse

from members.models import Member


def test_large_ids_stay_plain_in_links_and_options(client, people, tree):
    member = Member(pk=123456, cell=tree.C1, full_name="Hà Văn Số", date_of_birth=date(2000, 1, 1), gender="M")
    member.refresh_derived()
    member.save()
    client.force_login(people.secretary)
    page = client.get(reverse("member_detail", args=[member.pk])).content.decode()
    assert "?introducer=123456" in page and "123.456" not in page
    assert "?cell=" in client.get(reverse("unit_detail", args=[tree.C1.pk])).content.decode()


def test_quantities_shown_to_people_are_grouped(client, people, tree):
    members = []
    for i in range(1001):
        m = Member(cell=tree.C1, full_name=f"Người Số {i}", date_of_birth=date(2000, 1, 1), gender="M")
        m.refresh_derived()
        members.append(m)
    Member.objects.bulk_create(members)
    client.force_login(people.secretary)
    assert "1.001 đoàn viên" in client.get(reverse("member_list")).content.decode()
    assert 'data-testid="member-total">1.001<' in client.get(reverse("unit_detail", args=[tree.C1.pk])).content.decode()
