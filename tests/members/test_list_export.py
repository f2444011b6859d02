"""The member list, as filtered, as a spreadsheet (members/export.xlsx)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from members.models import Status
from tests.factories import make_member
from unionapp.models import AuditEvent


def rows_of(response) -> list[list]:
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [[c.value for c in row] for row in ws.iter_rows(min_row=2)]


def test_it_exports_every_member_the_filter_lists_and_only_those(client, people, tree, members):
    away = make_member(tree.C1, full_name="Lường Văn Xa", status=Status.AWAY, citizen_id="001305012345")
    make_member(tree.C3, full_name="Lường Thị Xa", status=Status.AWAY)  # away too, outside the base union
    client.force_login(people.officer)
    page = client.get(reverse("member_list"), {"status": Status.AWAY}).content.decode()
    url = f"{reverse('member_list_export')}?status={Status.AWAY}"
    assert f'href="{url}"' in page
    response = client.get(url)
    assert response["Content-Disposition"].startswith('attachment; filename="danh-sach-doan-vien-')
    [row] = rows_of(response)
    assert row[1] == away.full_name
    assert "001305012345" in row  # the base union keeps its cells' register: IDs in full
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, user=people.officer).exists()


def test_without_a_filter_it_exports_the_members_counted_as_the_list_shows_them(client, people, tree, members):
    make_member(tree.C1, full_name="Lò Văn Đã Xóa Tên", status=Status.REMOVED)
    client.force_login(people.secretary)
    names = [row[1] for row in rows_of(client.get(reverse("member_list_export")))]
    assert sorted(names) == sorted(m.full_name for m in members[tree.C1])


def test_readers_who_do_not_keep_the_register_get_masked_citizen_ids(client, people, tree):
    make_member(tree.C1, full_name="Lường Văn Xa", citizen_id="001305012345")
    client.force_login(people.district)
    [row] = rows_of(client.get(reverse("member_list_export")))
    assert "*********345" in row and "001305012345" not in row


@pytest.mark.parametrize("persona", ["secretary", "officer", "district"])
def test_a_unit_outside_the_scope_is_404(client, people, tree, members, persona):
    client.force_login(getattr(people, persona))
    assert client.get(reverse("member_list_export"), {"unit": tree.C3.pk}).status_code == 404


def test_another_invalid_filter_leads_back_to_the_list(client, people, tree):
    client.force_login(people.officer)
    response = client.get(reverse("member_list_export"), {"birth_year": "năm"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("member_list"))


def test_its_query_count_does_not_grow_with_rows(client, people, tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people.officer)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            rows_of(client.get(reverse("member_list_export")))
        return len(ctx)

    make_member(tree.C1)
    few = count()
    for _ in range(30):
        make_member(tree.C2)
    assert count() == few
