from datetime import date

from django.urls import reverse

from members import services as member_services
from referrals import services as referral_services
from reports.services import set_targets
from tests.factories import make_member, make_referral
from unionapp.audit import for_object
from unionapp.models import AuditEvent


def test_member_changes_keep_who_when_and_what(client, people, tree):
    member = make_member(tree.C1, full_name="Hà Văn Cũ")
    member.full_name = "Hà Văn Mới"
    member_services.save_member(member=member, by=people.secretary, expected_version=member.version)
    member_services.change_status(
        member=member, to_status="away", on=date(2026, 10, 1), reason="Đi làm xa", by=people.secretary
    )
    events = list(for_object(member).order_by("at", "pk"))
    assert [e.action for e in events] == ["change", "status"]
    assert events[0].user == people.secretary and events[0].changes["full_name"] == ["Hà Văn Cũ", "Hà Văn Mới"]
    assert events[1].changes["status"] == ["active", "away"]
    client.force_login(people.officer)
    page = client.get(reverse("member_detail", args=[member.pk])).content.decode()
    assert "Nhật ký thay đổi" in page and "Hà Văn Cũ → Hà Văn Mới" in page
    # In the words of the forms, not the code's: field labels and status names.
    assert "Họ và tên: Hà Văn Cũ → Hà Văn Mới" in page and "full_name" not in page
    assert "Tình trạng: Đang sinh hoạt → Đi làm ăn xa" in page and "Lý do: Đi làm xa" in page
    client.force_login(people.district)  # reads the register, does not keep it
    assert "Nhật ký thay đổi" not in client.get(reverse("member_detail", args=[member.pk])).content.decode()


def test_referral_steps_and_targets_are_in_the_trail(people, tree):
    r = make_referral(tree.C1, people.secretary)
    referral_services.withdraw(referral=r, by=people.secretary, reason="Đi học xa")
    assert [e.action for e in for_object(r).order_by("pk")] == ["create", "step"]
    set_targets(values={(tree.D1.pk, "union"): 40}, year=2026, by=people.province)
    event = AuditEvent.objects.filter(object_type="reports.target").get()
    assert event.changes == {"union": [None, 40]} and event.user == people.province


def test_logins_failures_and_exports_are_logged_with_the_scope(client, people, tree):
    client.post("/accounts/login/", {"username": "canbohuyen", "password": "sai"})
    client.post("/accounts/login/", {"username": "canbohuyen", "password": "doan1931-test"})
    b"".join(client.get(reverse("register_export", args=[tree.D1.pk])).streaming_content)
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", "username"))
    assert actions == [("login_failed", "canbohuyen"), ("login", "canbohuyen"), ("export", "canbohuyen")]
    export = AuditEvent.objects.get(action="export")
    assert export.scope == "Cán bộ Huyện đoàn D1" and export.label == "Huyện đoàn Một" and export.ip == "127.0.0.1"


def test_behind_nginx_the_trail_records_the_clients_address_not_the_proxys(client, people, settings):
    """nginx appends the address it saw to X-Forwarded-For: that entry, not what the client wrote before it."""
    from axes.models import AccessAttempt

    settings.PROXY_COUNT = 1
    forwarded = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.9.9.9, 203.113.7.8"}
    client.post("/accounts/login/", {"username": "canbohuyen", "password": "sai"}, **forwarded)
    assert AccessAttempt.objects.get().ip_address == "203.113.7.8"  # the lockout's log, too
    client.post("/accounts/login/", {"username": "canbohuyen", "password": "doan1931-test"}, **forwarded)
    assert list(AuditEvent.objects.order_by("pk").values_list("action", "ip")) == [
        ("login_failed", "203.113.7.8"),
        ("login", "203.113.7.8"),
    ]
    client.logout()
    client.post("/accounts/login/", {"username": "canbohuyen", "password": "sai"}, HTTP_X_FORWARDED_FOR="bịa")
    assert AuditEvent.objects.order_by("pk").last().ip == "127.0.0.1"  # not an address: the connection's
    settings.PROXY_COUNT = 0  # no proxy: the header is the client's own words
    client.post("/accounts/login/", {"username": "canbohuyen", "password": "sai"}, **forwarded)
    assert AuditEvent.objects.order_by("pk").last().ip == "127.0.0.1"
    assert AccessAttempt.objects.get().ip_address == "127.0.0.1"


def test_the_admin_manages_assignments_with_a_trail(client, people, tree):
    client.force_login(people.admin)
    client.post(
        "/admin/unionapp/assignment/add/", {"user": people.outsider.pk, "unit": tree.C2.pk, "role": "cell_secretary"}
    )
    event = AuditEvent.objects.get(object_type="unionapp.assignment")
    assert event.action == "create" and event.user == people.admin
