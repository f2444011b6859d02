"""Every URL of the URLconf × every role × an object in scope and one out of scope.

    anonymous                      -> redirect to login
    role without the view's capability anywhere, or in scope without it on the object -> 403
    object outside the role's part of the tree (a second province is present) -> 404
    allowed                        -> 200 (302 for a POST-only action)

The expectations follow from the one capability table (unionapp.scoping.ROLE_CAPABILITIES) and the
tree; the statuses come from real requests. A URL without an entry in ROUTES fails the test.
"""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from members import services as member_services
from members.models import ImportBatch
from referrals import services as referral_services
from tests.conftest import build_people, build_tree, data_for_the_module
from tests.factories import make_member, make_referral, make_unit, make_user
from unionapp.models import Kind, Role
from unionapp.scoping import Cap, Scope

PUBLIC = {"healthz", "login", "logout", "set_language"}
# Tied to one browser session (a random token kept in it): another user's request is 404 whatever
# the role. Covered by tests/members/test_excel.py::test_the_upload_of_another_session_is_404.
SESSION_BOUND = {"import_preview", "import_errors"}


def R(view_cap, obj_cap=None, obj=None, post=False, extra=(), ok=None):
    """A route: the capability the view declares, the one checked on the object (default: the same),
    how to find the object ("unit", "member", "referral", "transfer", "outgoing", "stay", "batch", "account",
    "assignment";
    None for lists), and
    the status of an allowed request (200, or 302 for a POST-only action or a redirecting page)."""
    return SimpleNamespace(
        view_cap=view_cap, obj_cap=obj_cap or view_cap, obj=obj, post=post, extra=extra, ok=ok or (302 if post else 200)
    )


ROUTES = {
    "home": R(None, ok=302),  # sends each user on to their unit
    "password_change": R(None),
    "password_change_done": R(None),
    "help": R(None),  # the user guide
    "unit_detail": R(Cap.VIEW_MEMBERS, obj="unit"),
    "unit_log": R(Cap.EDIT_MEMBERS, obj="unit"),
    "member_list": R(Cap.VIEW_MEMBERS),
    "member_list_export": R(Cap.VIEW_MEMBERS),  # its unit filter out of scope: tests/members/test_list_export.py
    "member_create": R(Cap.EDIT_MEMBERS),
    "member_detail": R(Cap.VIEW_MEMBERS, obj="member"),
    "member_edit": R(Cap.EDIT_MEMBERS, obj="member"),
    "member_status": R(Cap.EDIT_MEMBERS, obj="member"),
    # The member has no status change to undo: an editor in scope is sent back to their page, told why.
    "member_status_undo": R(Cap.EDIT_MEMBERS, obj="member", ok=302),
    "member_transfer": R(Cap.EDIT_MEMBERS, obj="member"),
    "member_delete": R(Cap.EDIT_MEMBERS, obj="member"),
    "transfer_list": R(Cap.EDIT_MEMBERS),
    "transfer_accept": R(Cap.EDIT_MEMBERS, obj="transfer", post=True),
    "transfer_refuse": R(Cap.EDIT_MEMBERS, obj="transfer", post=True),
    "stay_end": R(Cap.EDIT_MEMBERS, obj="stay", post=True),
    "transfer_withdraw": R(Cap.EDIT_MEMBERS, obj="outgoing", post=True),
    "cell_rating": R(Cap.EDIT_MEMBERS, obj="unit"),
    "cell_matured": R(Cap.EDIT_MEMBERS, obj="unit"),
    "register_export": R(Cap.VIEW_MEMBERS, obj="unit"),
    "import_upload": R(Cap.EDIT_MEMBERS),
    "import_template": R(Cap.EDIT_MEMBERS),
    "import_undo": R(Cap.EDIT_MEMBERS, obj="batch"),
    "referral_list": R(Cap.VIEW_MEMBERS),
    "referral_export": R(Cap.VIEW_MEMBERS),
    "referral_create": R(Cap.LOG_REFERRALS),
    "introducer_search": R(Cap.LOG_REFERRALS),
    "referral_detail": R(Cap.VIEW_MEMBERS, obj="referral"),
    "referral_edit": R(Cap.LOG_REFERRALS, obj="referral"),
    "referral_step": R(Cap.LOG_REFERRALS, obj="referral", extra=("training",)),
    # Approving is the approvers' step (base union and district staff), not the secretaries'.
    "referral_step admit": R(Cap.APPROVE_ADMISSIONS, obj="referral", extra=("admit",)),
    "referral_step refuse": R(Cap.APPROVE_ADMISSIONS, obj="referral", extra=("refuse",)),
    # The referral is not admitted: an approver in scope is sent back to its page, told why.
    "referral_step unadmit": R(Cap.APPROVE_ADMISSIONS, obj="referral", extra=("unadmit",), ok=302),
    "referral_step back": R(Cap.LOG_REFERRALS, obj="referral", extra=("back",)),
    # Nor is it closed: reopening sends back to the referral, told why.
    "referral_step unrefuse": R(Cap.APPROVE_ADMISSIONS, obj="referral", extra=("unrefuse",), ok=302),
    "referral_step unwithdraw": R(Cap.LOG_REFERRALS, obj="referral", extra=("unwithdraw",), ok=302),
    "pipeline_board": R(Cap.VIEW_MEMBERS, obj="unit"),
    "pipeline_many": R(Cap.LOG_REFERRALS, obj="unit", extra=("training",)),
    "pipeline_many admit": R(Cap.APPROVE_ADMISSIONS, obj="unit", extra=("admit",)),
    "decision_list": R(Cap.APPROVE_ADMISSIONS, obj="unit", ok=404),  # no decision in the test world: 404 inside too
    "decision_edit": R(Cap.APPROVE_ADMISSIONS, obj="unit", ok=404),
    "decision_index": R(Cap.APPROVE_ADMISSIONS, obj="unit"),
    "report": R(Cap.VIEW_REPORTS, obj="unit"),
    "report_xlsx": R(Cap.EXPORT_REPORTS, obj="unit"),
    "dashboard": R(Cap.VIEW_REPORTS, obj="unit"),
    "targets": R(Cap.SET_TARGETS, obj="unit"),
    "rating_report": R(Cap.VIEW_REPORTS, obj="unit"),
    "rating_report_xlsx": R(Cap.EXPORT_REPORTS, obj="unit"),
    "unit_import": R(Cap.MANAGE_UNITS),
    "unit_import_template": R(Cap.MANAGE_UNITS),
    "unit_create": R(Cap.MANAGE_UNITS, obj="unit"),
    "unit_edit": R(Cap.MANAGE_UNITS, obj="unit"),
    "unit_active": R(Cap.MANAGE_UNITS, obj="unit"),
    "user_list": R(Cap.MANAGE_UNITS),
    "user_create": R(Cap.MANAGE_UNITS),
    "user_detail": R(Cap.MANAGE_UNITS, obj="account"),
    "user_password": R(Cap.MANAGE_UNITS, obj="account"),
    "user_active": R(Cap.MANAGE_UNITS, obj="account"),
    "assignment_remove": R(Cap.MANAGE_UNITS, obj="assignment"),
}
ROLES = ["anonymous", "secretary", "officer", "district", "province"]


def url_names():
    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace != "admin":
                    yield from walk(p.url_patterns)
            elif isinstance(p, URLPattern):
                yield p.name

    return set(walk(get_resolver().url_patterns))


def test_every_url_has_an_entry():
    covered = {name.split()[0] for name in ROUTES} | PUBLIC | SESSION_BOUND
    assert url_names() - covered == set(), "add the new URL to ROUTES in tests/test_access.py"
    assert {name.split()[0] for name in ROUTES} - url_names() == set()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The test tree, plus a second province with its own data: out of everyone's scope. Built once for
    the module's 400-odd requests (each test's writes are rolled back after it)."""
    yield from data_for_the_module(django_db_blocker, build_world)


def build_world():
    tree = build_tree()
    people = build_people(tree)
    w = SimpleNamespace(tree=tree, people=people)
    p2 = make_unit(Kind.PROVINCE, name="Tỉnh đoàn Khác", code="P2")
    b9 = make_unit(Kind.BASE, p2, name="Đoàn xã Chín", code="B9")
    w.inside = {"unit": tree.C1}
    w.outside = {"unit": make_unit(Kind.CELL, b9, name="Chi đoàn Chín", code="C9")}
    for where, cell in (("inside", tree.C1), ("outside", w.outside["unit"])):
        objs = getattr(w, where)
        objs["member"] = make_member(cell, joined_on=date(2020, 1, 1))
        objs["referral"] = make_referral(cell, people.admin)
        other = tree.C3 if where == "inside" else tree.C1
        mover = make_member(other if where == "inside" else cell)
        if where == "inside":
            objs["transfer"] = member_services.request_transfer(
                member=mover, to_cell=cell, on=date(2026, 1, 1), reason="x", by=people.admin
            )
        else:
            objs["transfer"] = member_services.request_transfer(
                member=mover, to_cell=make_unit(Kind.CELL, b9), on=date(2026, 1, 1), reason="x", by=people.admin
            )
        # A request from the cell, not decided yet (withdrawn by the sender).
        objs["outgoing"] = member_services.request_transfer(
            member=make_member(cell),
            to_cell=tree.C3 if where == "inside" else make_unit(Kind.CELL, b9),
            on=date(2026, 1, 1),
            reason="x",
            by=people.admin,
        )
        # A temporary transfer running now, from the cell to one outside it (ended by the member's own cell).
        today = timezone.localdate()
        objs["stay"] = member_services.request_transfer(
            member=make_member(cell),
            to_cell=tree.C3 if where == "inside" else make_unit(Kind.CELL, b9),
            on=today,
            until=today + timedelta(days=30),
            reason="x",
            by=people.admin,
            accepted=True,
        )
        objs["batch"] = ImportBatch.objects.create(cell_scope=cell, file_name="x.xlsx", created_by=people.admin)
        objs["account"] = make_user(role=Role.CELL_SECRETARY, unit=cell)
        objs["assignment"] = objs["account"].assignments.get()
    # The inside referral is reviewed, so "admit" has something to approve.
    r = w.inside["referral"]
    r = referral_services.start_training(referral=r, by=people.admin, course_name="x", start=date(2026, 3, 1), end=None)
    w.inside["referral"] = referral_services.record_review(
        referral=r, by=people.admin, review_date=date(2026, 3, 20), votes_for=5, votes_present=6
    )
    return w


def expected(route, user, target_unit) -> int:
    if user is None:
        return 302
    scope = Scope(user)
    if route.view_cap and not scope.has(route.view_cap):
        return 403
    if target_unit is not None:
        if not scope.sees(target_unit):
            return 404
        if not scope.can(route.obj_cap, target_unit):
            return 403
    return route.ok


def target_unit_of(kind, obj):
    if kind == "unit":
        return obj
    if kind == "member":
        return obj.cell
    if kind == "referral":
        return obj.cell
    if kind == "transfer":
        return obj.to_cell
    if kind in ("stay", "outgoing"):
        return obj.from_cell
    if kind == "batch":
        return obj.cell_scope
    if kind == "account":
        return obj.assignments.get().unit
    if kind == "assignment":
        return obj.unit
    return None


CASES = [
    (name, role, where)
    for name in ROUTES
    for role in ROLES
    for where in (("inside", "outside") if ROUTES[name].obj else ("none",))
]


@pytest.mark.parametrize(("name", "role", "where"), CASES)
def test_access(db, client, world, name, role, where):
    route = ROUTES[name]
    url_name = name.split()[0]
    obj = getattr(world, where)[route.obj] if route.obj else None
    args = [obj.pk, *route.extra] if obj is not None else []
    user = None if role == "anonymous" else getattr(world.people, role)
    if user:
        client.force_login(user)
    url = reverse(url_name, args=args)
    response = client.post(url, {}) if route.post else client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)  # read to the end, so the test client closes the file
    want = expected(route, user, target_unit_of(route.obj, obj) if obj is not None else None)
    assert response.status_code == want, f"{role} {where} {url}: {response.status_code}, expected {want}"
    if want == 302 and user is None:
        assert response["Location"].startswith("/accounts/login/")


def test_a_superuser_reaches_everything(db, client, world):
    client.force_login(world.people.admin)
    for where in ("inside", "outside"):
        assert client.get(reverse("member_detail", args=[getattr(world, where)["member"].pk])).status_code == 200


def test_roles_cover_the_capability_table():
    """The access table exercises each role on each capability at least once."""
    from unionapp.scoping import ROLE_CAPABILITIES

    assert set(ROLE_CAPABILITIES) == set(Role)
    used = {r.view_cap for r in ROUTES.values()} | {r.obj_cap for r in ROUTES.values()}
    assert used - {None} == set(Cap.ALL)


def test_the_admin_is_404_or_login_for_everyone_but_superusers(db, client, world):
    for role in ("secretary", "officer", "district", "province"):
        client.force_login(getattr(world.people, role))
        response = client.get("/admin/members/member/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_writes_made_by_one_access_test_are_gone_before_the_next_a(db, world):
    """The world is built once for this module: each test's writes must be rolled back after it, or a POST
    in one test (a transfer accepted, say) would change what the next one checks. This one writes..."""
    from members.models import Member

    Member.objects.filter(pk=world.inside["member"].pk).delete()
    assert not Member.objects.filter(pk=world.inside["member"].pk).exists()


def test_writes_made_by_one_access_test_are_gone_before_the_next_b(db, world):
    """...and this one, run after it, finds the world as it was built (both ask for ``db``, so pytest-django
    keeps them in the file's order)."""
    from members.models import Member

    assert Member.objects.filter(pk=world.inside["member"].pk).exists()
