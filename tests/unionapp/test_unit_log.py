"""A unit's log: what was changed in the unit and below it, newest first, with who did it; a deletion included,
which no record's page can show any more. For those who keep the register there, as a record's own trail."""

from django.urls import reverse

from members import services as register
from members.models import Status
from reports.services import set_targets
from tests.factories import make_member, make_referral
from unionapp import audit
from unionapp.models import AuditEvent


def entries(client, unit, **params):
    response = client.get(reverse("unit_log", args=[unit.pk]), params)
    assert response.status_code == 200
    return [(e.get_action_display(), e.label, e.unit.code, e.link) for e in response.context["entries"]]


def test_it_lists_the_changes_in_the_unit_and_below_only(client, people, tree):
    kept = make_member(tree.C1, full_name="Lò Văn Còn")
    register.save_member(member=kept, by=people.secretary, expected_version=kept.version)  # an edit
    elsewhere = make_member(tree.C3, full_name="Hà Thị Khác")
    register.change_status(member=elsewhere, to_status=Status.AWAY, on=elsewhere.created_at.date(), reason="x",
                           by=people.province)  # fmt: skip
    referral = make_referral(tree.C2, people.officer, full_name="Trần Thị Mới")

    client.force_login(people.secretary)
    c1 = entries(client, tree.C1)
    assert ("Sửa", "Lò Văn Còn", "C1", reverse("member_detail", args=[kept.pk])) in c1
    assert all(code == "C1" for _a, _l, code, _link in c1)  # C2's referral, C3's member: not this cell's
    client.force_login(people.officer)
    b1 = entries(client, tree.B1)
    assert ("Tạo mới", "Trần Thị Mới (Đã giới thiệu)", "C2", reverse("referral_detail", args=[referral.pk])) in b1
    assert not any(label == "Hà Thị Khác" for _a, label, _c, _l in b1)
    client.force_login(people.province)
    assert ("Biến động", "Hà Thị Khác", "C3", reverse("member_detail", args=[elsewhere.pk])) in entries(client, tree.P)


def test_a_deleted_member_stays_in_the_log_without_a_link(client, people, tree):
    member = make_member(tree.C1, full_name="Lò Văn Nhầm")
    register.delete_member(member=member, by=people.secretary)
    client.force_login(people.secretary)
    deleted = entries(client, tree.C1, action="delete")
    assert deleted == [("Xóa", "Lò Văn Nhầm", "C1", None)]
    page = client.get(reverse("unit_log", args=[tree.C1.pk]), {"action": "delete"}).content.decode()
    assert "Lò Văn Nhầm" in page and "— bithu — Xóa" in page  # who deleted it


def test_ratings_and_targets_are_logged_against_their_unit(client, people, tree):
    member = make_member(tree.C1)
    register.rate_cell(ratings={member.pk: "good"}, year=2026, by=people.secretary)
    set_targets(values={(tree.C1.pk, "union"): 5}, year=2026, by=people.officer)
    client.force_login(people.officer)
    logged = entries(client, tree.B1, action="change")
    assert ("Sửa", "", "C1", None) in logged  # the cell's ratings
    page = client.get(reverse("unit_log", args=[tree.B1.pk])).content.decode()
    assert "Xếp loại năm: 2026</li>" in page and "Số đoàn viên được xếp loại: 1</li>" in page  # not "2026 → 1"
    assert any(code == "C1" and label.startswith("Chi đoàn Một") for _a, label, code, _l in logged)  # its target


def test_each_event_knows_its_unit(people, tree):
    member = make_member(tree.C2)
    referral = make_referral(tree.C1, people.secretary)
    assert audit.unit_id_of(member) == tree.C2.pk and audit.unit_id_of(referral) == tree.C1.pk
    assert audit.unit_id_of(tree.B1) == tree.B1.pk and audit.unit_id_of(people.secretary) is None
    assert AuditEvent.objects.filter(object_id=str(referral.pk), object_type="referrals.referral").get().unit == tree.C1


def test_the_log_reads_a_page_in_a_bounded_number_of_queries(client, people, tree, django_assert_max_num_queries):
    for n in range(30):
        make_referral(tree.C1, people.secretary, full_name=f"Người {n}")
        register.save_member(member=(m := make_member(tree.C2)), by=people.officer, expected_version=m.version)
    client.force_login(people.officer)
    with django_assert_max_num_queries(10):
        assert len(entries(client, tree.B1)) == 50


def test_a_record_moved_out_of_the_readers_scope_is_listed_without_a_link(client, people, tree):
    member = make_member(tree.C1, full_name="Lò Văn Đi")
    register.save_member(member=member, by=people.secretary, expected_version=member.version)
    register.move_member(
        member=member, to_cell=tree.C3, on=member.created_at.date(), reason="Chuyển", by=people.province
    )
    client.force_login(people.secretary)  # C1's: C3 lies in another base union
    logged = [entry for entry in entries(client, tree.C1) if entry[1] == "Lò Văn Đi"]
    assert {action for action, *_ in logged} == {"Sửa"} and len(logged) == 2  # the edit and the move, both C1's
    assert all(link is None for *_, link in logged)
    client.force_login(people.province)
    assert all(link == reverse("member_detail", args=[member.pk]) for *_, link in entries(client, tree.C1))


def test_the_log_pages_newer_to_older_without_counting_its_entries(client, people, tree):
    """A province's log grows by millions of entries: a page reads one row more than it shows, never a count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(55):
        make_referral(tree.C1, people.secretary, full_name=f"Người {n}")
    client.force_login(people.officer)
    url = reverse("unit_log", args=[tree.B1.pk])
    with CaptureQueriesContext(connection) as ctx:
        first = client.get(url)
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    body = first.content.decode()
    assert len(first.context["entries"]) == 50 and "Trang 1<" in body and "page=2" in body and "Trước" not in body
    second = client.get(url, {"page": 2})
    labels = [e.label for e in second.context["entries"]]
    assert len(labels) == 5 and labels[-1].startswith("Người 0 ")  # the oldest last
    assert "page=1" in second.content.decode() and "page=3" not in second.content.decode()
    assert len(client.get(url, {"page": "x"}).context["entries"]) == 50  # a mangled page number: the first
    past = client.get(url, {"page": "184467440737095518"})  # past the database's offsets: an empty page
    assert past.status_code == 200 and past.context["entries"] == []
