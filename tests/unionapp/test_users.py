"""Accounts kept in the app by the province office and base unions' officers (Cap.MANAGE_UNITS): who is
listed, creating an account with its role, a new password, locking, roles added and removed, all within the
scope."""

from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.factories import make_unit, make_user
from unionapp.forms import AccountForm
from unionapp.models import Assignment, AuditEvent, Kind, Role
from unionapp.scoping import Scope

PASSWORD = "Tuoi-tre-1931"


def new_account(**overrides):
    data = {
        "full_name": "  Lò  Thị Mai ",
        "username": "bithu.mot",
        "role": Role.CELL_SECRETARY,
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    return data | overrides


def test_it_lists_the_accounts_of_the_scope(client, tree, people):
    other_province = make_unit(Kind.PROVINCE, name="Tỉnh đoàn Khác", code="P2")
    stranger = make_user("nguoitinhkhac", Role.PROVINCE_OFFICE, other_province)
    both = make_user("haitinh", Role.CELL_SECRETARY, tree.C1)
    Assignment.objects.create(user=both, unit=other_province, role=Role.PROVINCE_OFFICE)
    client.force_login(people.province)
    response = client.get(reverse("user_list"))
    listed = {u.username for u in response.context["page"].object_list}
    # Everyone with a role in the province, but not oneself, the superuser, nor an account also held elsewhere.
    assert listed == {"bithu", "canboxa", "canbohuyen"}
    assert stranger.username not in response.content.decode()


def test_it_searches_by_name_and_unit_accents_and_case_aside(client, tree, people):
    make_user("bithuhai", Role.CELL_SECRETARY, tree.C3, first_name="Hà Văn Hải")
    client.force_login(people.province)
    for q in ("Văn Hải", "van hai", "VĂN HẢI", "Chi đoàn Ba", "CHI DOAN BA", "bithuhai"):
        found = client.get(reverse("user_list"), {"q": q}).context["page"].object_list
        assert [u.username for u in found] == ["bithuhai"], q


def test_it_lists_the_accounts_of_a_unit_and_below(client, tree, people):
    client.force_login(people.province)
    response = client.get(reverse("user_list"), {"unit": tree.B1.pk})
    assert {u.username for u in response.context["page"].object_list} == {"bithu", "canboxa"}
    searched = client.get(reverse("user_list"), {"unit": tree.B1.pk, "q": "canbo"})
    assert [u.username for u in searched.context["page"].object_list] == ["canboxa"]
    other = make_unit(Kind.PROVINCE, name="Tỉnh đoàn Khác", code="P2")
    assert client.get(reverse("user_list"), {"unit": other.pk}).status_code == 404
    assert client.get(reverse("user_list"), {"unit": "x"}).status_code == 404


def test_the_list_reads_a_fixed_number_of_queries(client, tree, people, django_assert_max_num_queries):
    for n in range(20):
        make_user(f"bithu{n}", Role.CELL_SECRETARY, tree.C2)
    client.force_login(people.province)
    # session, user, scope, count, page of accounts, their roles with units
    with django_assert_max_num_queries(6):
        response = client.get(reverse("user_list"))
    assert response.context["page"].paginator.count == 23


def test_it_creates_an_account_that_can_log_in_to_its_unit(client, tree, people):
    client.force_login(people.province)
    response = client.post(reverse("user_create"), new_account(unit=tree.C2.pk))
    user = User.objects.get(username="bithu.mot")
    assert response.status_code == 302 and response["Location"] == reverse("user_detail", args=[user.pk])
    assert user.first_name == "Lò Thị Mai" and not user.is_staff and not user.is_superuser
    assert [(a.role, a.unit) for a in user.assignments.all()] == [(Role.CELL_SECRETARY, tree.C2)]
    event = AuditEvent.objects.get(object_id=str(user.pk), action=AuditEvent.Action.CREATE)
    assert event.username == people.province.username
    client.logout()
    landed = client.post(reverse("login"), {"username": "bithu.mot", "password": PASSWORD}, follow=True)
    assert landed.request["PATH_INFO"] == reverse("password_change")  # a password someone else chose
    assert choose_own_password(client, PASSWORD).context["unit"] == tree.C2


def choose_own_password(client, old):
    own = "Mat-khau-rieng-2026"
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": own, "new_password2": own},
        follow=True,
    )


def test_it_starts_from_the_unit_it_was_opened_from(client, tree, people):
    client.force_login(people.province)
    form = client.get(reverse("user_create"), {"unit": tree.B1.pk}).context["form"]
    assert form["unit"].value() == tree.B1.pk and form["role"].value() == Role.BASE_OFFICER


def test_it_explains_a_role_on_the_wrong_kind_of_unit(client, tree, people):
    client.force_login(people.province)
    response = client.post(reverse("user_create"), new_account(unit=tree.B1.pk))
    assert "Vai trò Bí thư chi đoàn phải gắn với đơn vị cấp Chi đoàn." in response.content.decode()
    assert not User.objects.filter(username="bithu.mot").exists()


def test_it_refuses_a_taken_username_whatever_its_case(client, tree, people):
    client.force_login(people.province)
    response = client.post(reverse("user_create"), new_account(username="BiThu", unit=tree.C2.pk))
    assert "Tên đăng nhập này đã có người dùng" in response.content.decode()
    assert User.objects.filter(username__iexact="bithu").count() == 1


def test_a_username_taken_after_the_check_is_explained_not_an_error(client, tree, people, monkeypatch):
    # Two officers creating the same name at once: the second passes the form's check, meets the
    # database's unique constraint, and is told, as if the check had caught it.
    monkeypatch.setattr(AccountForm, "clean_username", lambda form: form.cleaned_data["username"])
    client.force_login(people.province)
    response = client.post(reverse("user_create"), new_account(username="bithu", unit=tree.C2.pk))
    assert response.status_code == 200
    assert "Tên đăng nhập này đã có người dùng" in response.content.decode()
    assert list(User.objects.get(username="bithu").assignments.values_list("unit__code", flat=True)) == ["C1"]


def test_it_refuses_a_weak_or_mistyped_password(client, tree, people):
    client.force_login(people.province)
    weak = client.post(reverse("user_create"), new_account(unit=tree.C2.pk, password1="12345678", password2="12345678"))
    typo = client.post(reverse("user_create"), new_account(unit=tree.C2.pk, password2=PASSWORD + "x"))
    assert "Mật khẩu này quá phổ biến." in weak.content.decode()
    assert "Hai trường mật khẩu không giống nhau." in typo.content.decode()
    assert not User.objects.filter(username="bithu.mot").exists()


def test_it_gives_roles_only_within_the_scope(client, tree, people):
    other_province = make_unit(Kind.PROVINCE, name="Tỉnh đoàn Khác", code="P2")
    other_cell = make_unit(Kind.CELL, make_unit(Kind.BASE, other_province))
    client.force_login(people.province)
    response = client.post(reverse("user_create"), new_account(unit=other_cell.pk))
    assert "unit" in response.context["form"].errors
    assert not User.objects.filter(username="bithu.mot").exists()
    picker = client.get(reverse("user_create")).content.decode()
    assert tree.C1.name in picker and other_cell.name not in picker


def test_a_new_password_works_and_lifts_a_lockout(client, tree, people, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "bithu", "password": "sai"})
    assert AccessAttempt.objects.filter(username="bithu").exists()
    client.force_login(people.province)
    url = reverse("user_password", args=[people.secretary.pk])
    response = client.post(url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="bithu").exists()
    client.logout()
    client.post(reverse("login"), {"username": "bithu", "password": PASSWORD})
    assert choose_own_password(client, PASSWORD).status_code == 200
    client.get(reverse("home"))
    assert client.get(reverse("unit_detail", args=[tree.C1.pk])).status_code == 200
    assert AuditEvent.objects.filter(object_id=str(people.secretary.pk), changes__has_key="password").exists()


def test_a_password_set_by_someone_else_must_be_replaced_before_anything_else(client, tree, people):
    client.force_login(people.province)
    client.post(
        reverse("user_password", args=[people.secretary.pk]), {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    detail = client.get(reverse("user_detail", args=[people.secretary.pk])).content.decode()
    assert 'data-testid="temporary-password"' in detail
    secretary = Client()
    secretary.post(reverse("login"), {"username": "bithu", "password": PASSWORD})
    for url in (reverse("home"), reverse("member_list"), reverse("unit_detail", args=[tree.C1.pk])):
        response = secretary.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("password_change"), url
    page = secretary.get(reverse("home"), follow=True).content.decode()
    assert "Hãy đặt mật khẩu của riêng bạn để tiếp tục" in page and 'name="old_password"' in page
    assert secretary.get(reverse("help")).status_code == 200  # the user guide may be read first
    choose_own_password(secretary, PASSWORD)
    assert secretary.get(reverse("unit_detail", args=[tree.C1.pk])).status_code == 200
    detail = client.get(reverse("user_detail", args=[people.secretary.pk])).content.decode()
    assert 'data-testid="temporary-password"' not in detail
    # Accounts whose holders chose their own password are not stopped.
    officer = Client()
    officer.post(reverse("login"), {"username": "canboxa", "password": "doan1931-test"})
    assert officer.get(reverse("member_list")).status_code == 200


def test_a_locked_account_is_logged_out_and_cannot_log_in(client, tree, people):
    secretary = Client()
    secretary.force_login(people.secretary)
    assert secretary.get(reverse("unit_detail", args=[tree.C1.pk])).status_code == 200
    client.force_login(people.province)
    url = reverse("user_active", args=[people.secretary.pk])
    assert "không đăng nhập được nữa" in client.get(url).content.decode()  # says what will happen first
    assert client.post(url, {"active": "0"}).status_code == 302
    client.post(url, {"active": "0"})  # a second click (or a stale page) does not unlock it again
    people.secretary.refresh_from_db()
    assert not people.secretary.is_active
    response = secretary.get(reverse("unit_detail", args=[tree.C1.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    credentials = {"username": "bithu", "password": "doan1931-test"}
    refused = secretary.post(reverse("login"), credentials)
    assert refused.status_code == 200 and "mật khẩu không đúng" in refused.content.decode()
    client.post(url, {"active": "1"})  # and unlocked again
    assert secretary.post(reverse("login"), credentials).status_code == 302


def test_roles_are_added_and_the_last_one_kept(client, tree, people):
    client.force_login(people.province)
    detail = reverse("user_detail", args=[people.secretary.pk])
    client.post(detail, {"add-role": Role.CELL_SECRETARY, "add-unit": tree.C2.pk})
    assert set(people.secretary.assignments.values_list("unit__code", flat=True)) == {"C1", "C2"}
    first, second = (people.secretary.assignments.get(unit=cell) for cell in (tree.C1, tree.C2))
    assert client.post(reverse("assignment_remove", args=[first.pk])).status_code == 302
    response = client.post(reverse("assignment_remove", args=[second.pk]), follow=True)
    assert "vai trò duy nhất" in response.content.decode()
    assert list(people.secretary.assignments.values_list("unit__code", flat=True)) == ["C2"]


def test_a_role_is_added_only_within_the_scope(client, tree, people):
    other_cell = make_unit(Kind.CELL, make_unit(Kind.BASE, make_unit(Kind.PROVINCE, code="P2")))
    client.force_login(people.province)
    detail = reverse("user_detail", args=[people.secretary.pk])
    response = client.post(detail, {"add-role": Role.CELL_SECRETARY, "add-unit": other_cell.pk})
    assert response.status_code == 200 and "unit" in response.context["form"].errors
    assert list(people.secretary.assignments.values_list("unit__code", flat=True)) == ["C1"]


def test_nobody_else_manages_accounts(client, tree, people):
    for user in (people.secretary, people.district):
        assert not Scope(user).accounts().exists()
    # A base union's officer: the accounts within it (its cells' secretaries), not their own.
    assert list(Scope(people.officer).accounts().values_list("username", flat=True)) == ["bithu"]
    assert set(Scope(people.admin).accounts().values_list("username", flat=True)) == {
        "bithu",
        "canboxa",
        "canbohuyen",
        "vanphong",
    }


def test_ones_own_account_and_staff_accounts_are_not_managed_here(client, tree, people):
    staff = make_user("nhanvien", Role.CELL_SECRETARY, tree.C1, is_staff=True)
    client.force_login(people.province)
    for user in (people.province, staff, people.admin):
        assert client.get(reverse("user_detail", args=[user.pk])).status_code == 404
        assert client.post(reverse("user_active", args=[user.pk])).status_code == 404
    staff.refresh_from_db()
    assert staff.is_active


def test_the_pages_speak_english_when_chosen(client, tree, people):
    client.force_login(people.province)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("user_detail", args=[people.secretary.pk])).content.decode()
    assert "Reset password" in body and "Lock account" in body and "Add role" in body


def test_a_base_unions_officer_gives_its_cells_their_secretaries(client, tree, people):
    client.force_login(people.officer)
    form = client.get(reverse("user_create"), {"unit": tree.C2.pk}).context["form"]
    assert form["unit"].value() == tree.C2.pk and form["role"].value() == Role.CELL_SECRETARY
    # Offered: its cells, and only the role held there (no hint needed for a single role).
    assert set(form.fields["unit"].queryset) == {tree.C1, tree.C2}
    assert [r for r, _label in form.fields["role"].choices] == [Role.CELL_SECRETARY]
    assert form.fields["unit"].help_text == ""
    province_form = _form_of(client, people.province)
    assert province_form.fields["unit"].help_text == (
        "Bí thư chi đoàn: chọn chi đoàn; cán bộ Đoàn cơ sở: đoàn cơ sở; cán bộ Huyện đoàn: huyện đoàn."
    )
    client.force_login(people.officer)
    response = client.post(reverse("user_create"), new_account(unit=tree.C2.pk))
    user = User.objects.get(username="bithu.mot")
    assert response.status_code == 302
    assert [(a.role, a.unit) for a in user.assignments.all()] == [(Role.CELL_SECRETARY, tree.C2)]
    assert AuditEvent.objects.get(object_id=str(user.pk), action=AuditEvent.Action.CREATE).username == "canboxa"


def _form_of(client, user):
    client.force_login(user)
    return client.get(reverse("user_create")).context["form"]


def test_a_base_unions_officer_gives_no_role_beyond_its_cells(client, tree, people):
    client.force_login(people.officer)
    beyond = ((Role.CELL_SECRETARY, tree.C3), (Role.PROVINCE_OFFICE, tree.P), (Role.DISTRICT_STAFF, tree.D1))
    for role, unit in (*beyond, (Role.BASE_OFFICER, tree.B1)):  # nor a colleague on the base union itself
        response = client.post(reverse("user_create"), new_account(role=role, unit=unit.pk))
        assert response.status_code == 200 and response.context["form"].errors, role
    detail = client.post(
        reverse("user_detail", args=[people.secretary.pk]), {"add-role": Role.CELL_SECRETARY, "add-unit": tree.C3.pk}
    )
    assert "unit" in detail.context["form"].errors
    assert not User.objects.filter(username="bithu.mot").exists()
    assert list(people.secretary.assignments.values_list("unit__code", flat=True)) == ["C1"]


def test_a_base_unions_officer_sets_a_new_password_for_its_secretaries_only(client, tree, people):
    elsewhere = make_user("bithuba", Role.CELL_SECRETARY, tree.C3)
    client.force_login(people.officer)
    listed = client.get(reverse("user_list")).context["page"].object_list
    assert [u.username for u in listed] == ["bithu"]
    new = {"new_password1": "Mat-khau-moi-2026", "new_password2": "Mat-khau-moi-2026"}
    assert client.post(reverse("user_password", args=[people.secretary.pk]), new).status_code == 302
    people.secretary.refresh_from_db()
    assert people.secretary.check_password("Mat-khau-moi-2026")
    # Another base union's secretary, its district's staff, the province office: not found.
    for other in (elsewhere, people.district, people.province):
        assert client.post(reverse("user_password", args=[other.pk]), new).status_code == 404
        other.refresh_from_db()
        assert not other.check_password("Mat-khau-moi-2026")


def test_peers_do_not_manage_one_another_below_the_province(client, tree, people):
    """A base union's officers keep its cells' secretaries, not one another: none locks a colleague out. The
    province office, with nobody above it in the app, keeps its own."""
    colleague = make_user("canboxa2", Role.BASE_OFFICER, tree.B1)
    client.force_login(people.officer)
    for url in ("user_detail", "user_password", "user_active"):
        assert client.post(reverse(url, args=[colleague.pk])).status_code == 404
    colleague.refresh_from_db()
    assert colleague.is_active
    assert "canboxa2" not in {u.username for u in client.get(reverse("user_list")).context["page"].object_list}
    office = make_user("vanphong2", Role.PROVINCE_OFFICE, tree.P)
    client.force_login(people.province)
    assert client.get(reverse("user_detail", args=[office.pk])).status_code == 200
    assert client.get(reverse("user_detail", args=[colleague.pk])).status_code == 200
