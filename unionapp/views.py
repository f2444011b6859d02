import tempfile
from urllib.parse import urlencode

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, connection
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from members import text
from members.excel import ImportRefused
from members.models import MIN_CELL_MEMBERS, Member, Status, Transfer
from reports import tally
from reports.rollup import figures_of
from unionapp import accounts, audit, guide, units
from unionapp.forms import AccountForm, AssignmentFields, UnitForm, row_id
from unionapp.models import ROLE_UNIT_KINDS, Assignment, AuditEvent, Kind, Role, Unit, in_list_order
from unionapp.paging import UncountedPage
from unionapp.scoping import Cap, get_in_scope, login_not_required, no_capability, requires
from unionapp.todo import todo


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: answers only after a real round trip to the database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


class PasswordChange(auth_views.PasswordChangeView):
    """Django's password change; a temporary password (set by someone else) stops being one."""

    def form_valid(self, form):
        was_temporary = self.request.session.get(accounts.MUST_CHANGE)
        response = super().form_valid(form)
        accounts.password_chosen(self.request)
        if was_temporary:  # on to the work the login was for
            messages.success(self.request, _("Đã đặt mật khẩu của riêng bạn."))
            return redirect("home")
        return response


@no_capability
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its natural page: a secretary on their cell, staff on their unit's overview."""
    unit = request.scope.home_unit()
    if unit is None:
        if request.scope.is_superuser:
            province = Unit.objects.filter(kind=Kind.PROVINCE).order_by("path").first()
            if province:
                return redirect("dashboard", pk=province.pk)
        return render(request, "unionapp/no_assignment.html")
    if request.scope.home_role() != Role.CELL_SECRETARY and request.scope.can(Cap.VIEW_REPORTS, unit):
        return redirect("dashboard", pk=unit.pk)
    return redirect("unit_detail", pk=unit.pk)


@no_capability
def help_page(request: HttpRequest) -> HttpResponse:
    """The user guide, with the part written for the user's role pointed out."""
    body, sections = guide.html()
    return render(
        request,
        "unionapp/help.html",
        {
            "guide": mark_safe(body),  # noqa: S308 - our own docs/user-guide.md, rendered by Markdown
            "sections": [(a, mark_safe(title)) for a, title in sections],  # noqa: S308 - the same
            "mine": guide.anchor(request.scope.home_role()),
        },
    )


@requires(Cap.VIEW_MEMBERS)
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = request.scope.get_unit(pk, Cap.VIEW_MEMBERS)
    children = in_list_order(unit.children.all())
    members = unkept = None
    today = timezone.localdate()
    if unit.kind == Kind.CELL:
        # The cell's register in paper order.
        members = list(Member.objects.filter(cell=unit, status__in=Status.COUNTED).select_related("cell"))
        total = len(members)
        away_total = sum(m.status == Status.AWAY for m in members)
        # Temporary transfers running today: the cell's own members away, and other cells' members taking part here.
        stays = list(
            Transfer.objects.stays_on(today)
            .filter(Q(member__cell=unit) | Q(to_cell=unit))
            .select_related("member", "from_cell", "to_cell")
            .order_by("until")
        )
        away = {s.member_id: s for s in stays if s.member.cell_id == unit.pk}
        for m in members:
            m.stay = away.get(m.pk)
        hosted = [s for s in stays if s.to_cell_id == unit.pk]
    else:
        # Members counted today per unit directly under this one, from the reports' summary rows (one query,
        # grouped in the database: a province's 150.000 register rows are not read for a dozen numbers).
        sums = tally.sums(today, today, today, under=unit)
        counts = {int(key): figures_of(summed).members_now or 0 for key, *summed in sums}
        for child in children:
            child.member_count = counts.get(child.pk, 0)
            # Below the charter's minimum (a cell with none yet is one whose register is still to be entered).
            child.below_minimum = (
                child.kind == Kind.CELL and child.is_active and 0 < child.member_count < MIN_CELL_MEMBERS
            )
        if unit.kind == Kind.BASE and request.scope.can(Cap.MANAGE_UNITS, unit):
            # For those who give the accounts: the open cells nobody can log in to (one query).
            unkept = accounts.cells_without_secretary_ids(unit)
            for child in children:
                child.no_secretary = child.pk in unkept
        total = sum(counts.values())
        away_total = 0
    context = {
        "unit": unit,
        "breadcrumbs": request.scope.breadcrumbs(unit),
        "children": children,
        "member_total": total,
        "away_total": away_total,
        "can_edit": request.scope.can(Cap.EDIT_MEMBERS, unit),
        "can_log": request.scope.can(Cap.LOG_REFERRALS, unit),
        "can_manage": request.scope.can(Cap.MANAGE_UNITS, unit),
        "can_change": request.scope.changes_unit(unit),
        "min_cell_members": MIN_CELL_MEMBERS,
    }
    if members is not None:
        context["members"] = members
        context["hosted"] = hosted
        context["today"] = today
    context["todo"] = todo(request, unit, members, unkept)
    return render(request, "unionapp/unit_detail.html", context)


LOG_PAGE_SIZE = 50
LOGIN_ACTIONS = {AuditEvent.Action.LOGIN, AuditEvent.Action.LOGIN_FAILED}  # an account's, not a unit's
# The records a log entry links to, while they exist and the reader may open them: the page of each kind, and
# the path from the record to its unit (for the scoping layer).
LOG_LINKS = {
    "members.member": ("member_detail", "cell__"),
    "referrals.referral": ("referral_detail", "cell__"),
    "unionapp.unit": ("unit_detail", ""),
}


@requires(Cap.EDIT_MEMBERS)
def unit_log(request: HttpRequest, pk: int) -> HttpResponse:
    """What was changed in a unit and the units under it, newest first: members (a deletion included), referrals,
    status changes, imports, ratings, targets and the units themselves, with who did it. For those who keep the
    register there (as a record's own trail is): the entries show what the records held."""
    unit = request.scope.get_unit(pk, Cap.EDIT_MEMBERS)
    events = AuditEvent.objects.filter(unit.subtree_q("unit__")).select_related("user", "unit")
    actions = [(a, label) for a, label in AuditEvent.Action.choices if a not in LOGIN_ACTIONS]
    action = request.GET.get("action", "")
    if action in dict(actions):
        events = events.filter(action=action)
    page = UncountedPage(events.order_by("-at", "-pk"), request.GET.get("page"), LOG_PAGE_SIZE)
    entries = audit.with_rows(page.object_list)
    # Link each entry to its record while it exists and is in the reader's scope (it may have moved out since):
    # one query a kind of record.
    wanted: dict[str, set[int]] = {}
    for e in entries:
        if e.object_type in LOG_LINKS and e.object_id.isdigit():
            wanted.setdefault(e.object_type, set()).add(int(e.object_id))
    openable = {
        kind: set(
            request.scope.filter(
                apps.get_model(kind).objects.filter(pk__in=ids), Cap.VIEW_MEMBERS, via=LOG_LINKS[kind][1]
            ).values_list("pk", flat=True)
        )
        for kind, ids in wanted.items()
    }
    for e in entries:
        found = e.object_id.isdigit() and int(e.object_id) in openable.get(e.object_type, ())
        e.link = reverse(LOG_LINKS[e.object_type][0], args=[int(e.object_id)]) if found else None
    return render(
        request,
        "unionapp/unit_log.html",
        {
            "unit": unit,
            "page": page,
            "entries": entries,
            "actions": actions,
            "action": action,
            "query_string": urlencode({"action": action} if action else {}),
            "breadcrumbs": request.scope.breadcrumbs(unit),
        },
    )


# --- accounts ------------------------------------------------------------------

USERS_PAGE_SIZE = 50


def managed_units(request):
    """The active units on which the manager may give a role, in tree order."""
    return Unit.objects.filter(request.scope.gives_roles_q(), is_active=True).order_by("path")


def get_account(request, pk) -> User:
    """An account the user manages (404 for any other: another part of the tree, staff, oneself)."""
    return get_in_scope(request.scope.accounts(), pk=pk)


@requires(Cap.MANAGE_UNITS)
def user_list(request: HttpRequest) -> HttpResponse:
    q = " ".join(request.GET.get("q", "").split())
    users = request.scope.accounts()
    unit = None
    if request.GET.get("unit"):  # from a unit's page: the accounts with a role on it or below it
        unit = get_in_scope(request.scope.units(Cap.MANAGE_UNITS), pk=request.GET["unit"])
        users = users.filter(pk__in=Assignment.objects.filter(unit.subtree_q("unit__")).values("user_id"))
    if q:  # accents and case aside, as in the register; a province's few thousand accounts, folded here
        needle = text.fold(q)
        rows = users.values_list("pk", "username", "first_name", "assignments__unit__name")
        users = users.filter(pk__in={pk for pk, *words in rows if any(needle in text.fold(w) for w in words)})
    users = users.prefetch_related(
        Prefetch("assignments", Assignment.objects.select_related("unit").order_by("unit__path"))
    )
    page = Paginator(users.order_by("username"), USERS_PAGE_SIZE).get_page(request.GET.get("page"))
    params = {k: v for k, v in (("unit", unit and unit.pk), ("q", q)) if v}
    return render(
        request,
        "unionapp/user_list.html",
        {"page": page, "q": q, "unit": unit, "query_string": urlencode(params)},
    )


@requires(Cap.MANAGE_UNITS)
def user_create(request: HttpRequest) -> HttpResponse:
    offered = managed_units(request)
    # From a unit's page: that unit, and the role held on its kind.
    unit_id = row_id(request.GET.get("unit"))
    unit = offered.filter(pk=unit_id).first() if unit_id else None
    role = next((r for r, kinds in ROLE_UNIT_KINDS.items() if unit and unit.kind in kinds), None)
    form = AccountForm(request.POST or None, units=offered, initial={"unit": unit, "role": role})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = accounts.create_account(
                username=data["username"],
                full_name=data["full_name"],
                password=data["password1"],
                role=data["role"],
                unit=data["unit"],
                by=request.user,
                request=request,
            )
        except IntegrityError:  # the same name taken a moment ago by someone else
            form.add_error("username", AccountForm.USERNAME_TAKEN)
            return render(request, "unionapp/user_form.html", {"form": form})
        messages.success(
            request,
            _(
                "Đã tạo tài khoản %(username)s. Hãy báo tên đăng nhập và mật khẩu cho người dùng; "
                "lần đầu đăng nhập, họ sẽ phải đặt mật khẩu của riêng mình."
            )
            % {"username": user.username},
        )
        return redirect("user_detail", pk=user.pk)
    return render(request, "unionapp/user_form.html", {"form": form})


@requires(Cap.MANAGE_UNITS)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_account(request, pk)
    form = AssignmentFields(request.POST or None, units=managed_units(request), prefix="add")
    if request.method == "POST" and form.is_valid():
        accounts.add_assignment(
            user=account,
            role=form.cleaned_data["role"],
            unit=form.cleaned_data["unit"],
            by=request.user,
            request=request,
        )
        messages.success(request, _("Đã thêm vai trò."))
        return redirect("user_detail", pk=account.pk)
    context = {
        "account": account,
        "assignments": account.assignments.select_related("unit").order_by("unit__path"),
        "form": form,
        "audit_events": audit.with_rows(audit.for_object(account)[:50]),
        "temporary_password": accounts.has_temporary_password(account),
    }
    return render(request, "unionapp/user_detail.html", context)


@requires(Cap.MANAGE_UNITS)
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_account(request, pk)
    form = SetPasswordForm(account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        accounts.set_password(
            user=account, password=form.cleaned_data["new_password1"], by=request.user, request=request
        )
        messages.success(
            request,
            _("Đã đặt mật khẩu mới. Hãy báo cho người dùng; khi đăng nhập, họ sẽ phải đặt mật khẩu của riêng mình."),
        )
        return redirect("user_detail", pk=account.pk)
    return render(
        request, "unionapp/user_action.html", {"account": account, "form": form, "title": _("Đặt lại mật khẩu")}
    )


@requires(Cap.MANAGE_UNITS)
def user_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Lock or unlock an account: a page that says what will happen, then a POST."""
    account = get_account(request, pk)
    if request.method == "POST":
        # The state the page asked for, not a flip: a second click or a stale page changes nothing.
        accounts.set_active(user=account, active=request.POST.get("active") == "1", by=request.user, request=request)
        messages.success(request, _("Đã mở lại tài khoản.") if account.is_active else _("Đã khóa tài khoản."))
        return redirect("user_detail", pk=account.pk)
    title = _("Khóa tài khoản") if account.is_active else _("Mở lại tài khoản")
    return render(request, "unionapp/user_action.html", {"account": account, "title": title})


@requires(Cap.MANAGE_UNITS)
def assignment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_in_scope(
        Assignment.objects.filter(user__in=request.scope.accounts()).select_related("unit", "user"), pk=pk
    )
    account = assignment.user
    if request.method == "POST":
        try:
            accounts.remove_assignment(assignment=assignment, by=request.user, request=request)
        except ValidationError as e:
            messages.error(request, e.messages[0])
        else:
            messages.success(request, _("Đã bỏ vai trò."))
        return redirect("user_detail", pk=account.pk)
    return render(
        request,
        "unionapp/user_action.html",
        {"account": account, "assignment": assignment, "title": _("Bỏ vai trò")},
    )


# --- units ---------------------------------------------------------------------


@requires(Cap.MANAGE_UNITS)
def unit_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A new unit directly under ``pk``."""
    parent = request.scope.get_unit(pk, Cap.MANAGE_UNITS)
    form = UnitForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = units.create_unit(
            parent=parent, name=data["name"], code=data["code"], kind=data["kind"], by=request.user, request=request
        )
        messages.success(request, _("Đã thêm %(name)s.") % {"name": unit.name})
        return redirect("unit_detail", pk=unit.pk)
    return render(request, "unionapp/unit_form.html", {"form": form, "parent": parent, "unit": None})


@requires(Cap.MANAGE_UNITS)
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a unit, change its code, or move it (with everything under it) under another unit."""
    unit = request.scope.get_unit(pk, Cap.MANAGE_UNITS)
    if not request.scope.changes_unit(unit):  # one's own base union is renamed from above
        raise PermissionDenied
    # Movable only from one managed unit to another: the top of one's own scope stays where it is.
    movable = unit.parent is not None and request.scope.can(Cap.MANAGE_UNITS, unit.parent)
    parents = request.scope.units(Cap.MANAGE_UNITS).filter(is_active=True).order_by("path") if movable else None
    form = UnitForm(request.POST or None, unit=unit, parents=parents)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        units.change_unit(
            unit=unit, name=data["name"], code=data["code"], parent=data.get("parent"), by=request.user, request=request
        )
        messages.success(request, _("Đã lưu thay đổi của đơn vị."))
        return redirect("unit_detail", pk=unit.pk)
    return render(request, "unionapp/unit_form.html", {"form": form, "parent": unit.parent, "unit": unit})


@requires(Cap.MANAGE_UNITS)
def unit_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Close or reopen a unit: a page that says what it still holds, then a POST."""
    unit = request.scope.get_unit(pk, Cap.MANAGE_UNITS)
    own = unit.pk in {a.unit_id for a in request.scope.assignments}  # closing it would lock oneself out
    if request.method == "POST":
        if own:
            raise PermissionDenied
        units.set_active(unit=unit, active=request.POST.get("active") == "1", by=request.user, request=request)
        messages.success(request, _("Đã mở lại đơn vị.") if unit.is_active else _("Đã ngừng hoạt động đơn vị."))
        return redirect("unit_detail", pk=unit.pk)
    context = {"unit": unit, "own": own, "inside": units.still_inside(unit) if unit.is_active else None}
    return render(request, "unionapp/unit_active.html", context)


@requires(Cap.MANAGE_UNITS)
def unit_import(request: HttpRequest) -> HttpResponse:
    """Units from a spreadsheet: checked first (nothing written), imported when the whole file is right."""
    result, error, check_only = None, None, True
    if request.method == "POST":
        check_only = bool(request.POST.get("check_only"))
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Hãy chọn tệp bảng tính (.xlsx, .xls, .ods) để tải lên.")
        else:
            with tempfile.NamedTemporaryFile(suffix=".xlsx") as f:
                for chunk in upload.chunks():
                    f.write(chunk)
                f.flush()
                try:
                    if check_only:
                        result = units.read_tree(f.name, request.scope)
                    else:
                        result = units.import_tree(f.name, request.scope, by=request.user, request=request)
                except ImportRefused as e:
                    error = str(e)
            if result and not result.errors and not check_only:
                messages.success(request, _("Đã thêm %(n)s đơn vị.") % {"n": len(result.new)})
                return redirect("unit_import")
    return render(request, "unionapp/unit_import.html", {"result": result, "error": error, "check_only": check_only})


@requires(Cap.MANAGE_UNITS)
def unit_import_template(request: HttpRequest) -> HttpResponse:
    """The import file, filled with the units already in the scope (provinces aside: they are not imported)."""
    existing = request.scope.units(Cap.MANAGE_UNITS).exclude(kind=Kind.PROVINCE).order_by("path")
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="don-vi.xlsx"'
    units.tree_workbook(existing).save(response)
    return response
