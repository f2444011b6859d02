"""The organisation tree and who holds which role where.

The tree is a materialized path: every unit stores the ids of its ancestors and
itself as ``/1/5/23/``. "Everything under U" is then one range condition on an
indexed column (see ``Unit.subtree_q``), on SQLite and PostgreSQL alike.
"""

import functools
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from members import text
from unionapp.signals import unit_moved


@functools.cache
def _labels(field) -> dict:
    return dict(field.flatchoices)


class ChoiceLabels:
    """``get_<field>_display()`` from a dict of the field's choices built once, for the models a page lists
    by the fifty: Django's own builds that dict on every call, hashing each lazy label, which translates
    it (0,05 ms a call; a register page asked for a hundred)."""

    def _get_FIELD_display(self, field):  # noqa: N802 - Django's name
        value = getattr(self, field.attname)
        return force_str(_labels(field).get(value, value), strings_only=True)


class Kind(models.TextChoices):
    PROVINCE = "province", _("Tỉnh đoàn")
    DISTRICT = "district", _("Huyện đoàn / tương đương")
    BASE = "base", _("Đoàn cơ sở")
    CELL = "cell", _("Chi đoàn")


# Which kinds may be the parent of each kind. A base union sits under a district
# (before July 2025, or under a large grouping unit) or directly under the province.
ALLOWED_PARENTS = {
    Kind.PROVINCE: (),
    Kind.DISTRICT: (Kind.PROVINCE,),
    Kind.BASE: (Kind.PROVINCE, Kind.DISTRICT),
    Kind.CELL: (Kind.BASE,),
}


def path_range(path: str) -> tuple[str, str]:
    """The half-open range [path, upper) that holds exactly the paths starting with ``path``.

    Paths use only digits and "/", and "0" follows "/" in every collation we use
    (ASCII, C), so replacing the final "/" with "0" gives the first string that no
    longer has the prefix. A range, unlike LIKE 'x%', uses the b-tree index on
    SQLite too.
    """
    return path, path[:-1] + "0"


def id_on_path(path: str, depth: int) -> int | None:
    """The id of the unit at ``depth`` on ``path`` ("/1/2/7/": 1 at depth 0, 7 at depth 2), or None
    when the path ends above that depth (no query)."""
    parts = path.strip("/").split("/")
    return int(parts[depth]) if len(parts) > depth else None


def in_list_order(units: Iterable["Unit"]) -> list["Unit"]:
    """Units as pages list them (a unit's children on its page, its report and its board): open ones first,
    then by name in Vietnamese alphabetical order."""
    return sorted(units, key=lambda u: (not u.is_active, text.collation_key(u.name)))


class UnitQuerySet(models.QuerySet):
    def subtree(self, unit: "Unit") -> "UnitQuerySet":
        return self.filter(unit.subtree_q())

    def active(self) -> "UnitQuerySet":
        return self.filter(is_active=True)


class Unit(models.Model):
    name = models.CharField(_("tên"), max_length=200)
    code = models.CharField(_("mã"), max_length=30, unique=True)
    kind = models.CharField(_("cấp"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Ancestors' ids and our own, e.g. "/1/5/23/". Maintained only by add() and move_to().
    # Indexed (unique) for the range scans of subtree_q().
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=Kind.PROVINCE) & Q(parent__isnull=True))
                | (~Q(kind=Kind.PROVINCE) & Q(parent__isnull=False)),
                name="unit_province_is_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    # --- tree queries -------------------------------------------------------

    def subtree_q(self, prefix: str = "") -> Q:
        """Q for this unit and everything under it; ``prefix`` reaches the unit through a relation."""
        low, high = path_range(self.path)
        return Q(**{f"{prefix}path__gte": low, f"{prefix}path__lt": high})

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to and including this unit, read from the path (no query)."""
        return [int(p) for p in self.path.strip("/").split("/")]

    def province_path(self) -> str:
        """The path of this unit's province (its root), e.g. "/1/" (no query)."""
        return f"/{self.ancestor_ids()[0]}/"

    def ancestors(self) -> UnitQuerySet:
        """Root first, this unit last: one query on primary keys."""
        return Unit.objects.filter(pk__in=self.ancestor_ids()).order_by("depth")

    def child_id_on_path(self, path: str) -> int | None:
        """Id of this unit's child that ``path`` (of a unit below it) passes through; None for itself."""
        return id_on_path(path, self.depth + 1)

    def is_under(self, other: "Unit") -> bool:
        """True when this unit is ``other`` or lies under it (no query)."""
        return self.path.startswith(other.path)

    # --- tree edits ---------------------------------------------------------

    @staticmethod
    def check_parent(kind: str, parent: "Unit | None", unit: "Unit | None" = None) -> None:
        """Raise ValidationError (Vietnamese) when ``parent`` cannot hold a unit of ``kind``."""
        allowed = ALLOWED_PARENTS[Kind(kind)]
        if parent is None:
            if allowed:
                raise ValidationError(
                    {"parent": _("%(kind)s phải thuộc một đơn vị cấp trên.") % {"kind": Kind(kind).label}}
                )
            return
        if not allowed:
            raise ValidationError({"parent": _("Tỉnh đoàn là cấp cao nhất, không có đơn vị cấp trên.")})
        if unit is not None and unit.pk and parent.is_under(unit):
            raise ValidationError(
                {"parent": _("Không thể chuyển một đơn vị vào chính nó hoặc đơn vị cấp dưới của nó.")}
            )
        if parent.kind not in allowed:
            raise ValidationError(
                {
                    "parent": _("%(kind)s không thể trực thuộc %(parent_kind)s; chỉ trực thuộc: %(allowed)s.")
                    % {
                        "kind": Kind(kind).label,
                        "parent_kind": Kind(parent.kind).label,
                        "allowed": ", ".join(str(Kind(k).label) for k in allowed),
                    }
                }
            )

    def clean(self) -> None:
        self.check_parent(self.kind, self.parent, self)

    @classmethod
    @transaction.atomic
    def add(cls, *, name: str, code: str, kind: str, parent: "Unit | None" = None, is_active: bool = True) -> "Unit":
        """Create a unit in the tree (two queries: insert, then set the path from the new id)."""
        cls.check_parent(kind, parent)
        unit = cls(name=name, code=code, kind=kind, parent=parent, is_active=is_active)
        unit.path = f"tmp-{code}"
        unit.save()
        unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
        unit.depth = parent.depth + 1 if parent else 0
        cls.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)
        return unit

    @transaction.atomic
    def move_to(self, new_parent: "Unit") -> None:
        """Move this unit and its whole subtree under ``new_parent``.

        Members, referrals and targets point at units by id, so they move with it.
        One UPDATE rewrites the paths of the subtree.
        """
        self.check_parent(self.kind, new_parent, self)
        old_path, new_path = self.path, f"{new_parent.path}{self.pk}/"
        shift = new_parent.depth + 1 - self.depth
        Unit.objects.filter(self.subtree_q()).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1, Length("path"))),
            depth=models.F("depth") + shift,
        )
        Unit.objects.filter(pk=self.pk).update(parent=new_parent)
        self.refresh_from_db()
        unit_moved.send(sender=Unit, unit=self, old_path=old_path)


class Role(models.TextChoices):
    CELL_SECRETARY = "cell_secretary", _("Bí thư chi đoàn")
    BASE_OFFICER = "base_officer", _("Cán bộ Đoàn cơ sở")
    DISTRICT_STAFF = "district_staff", _("Cán bộ Huyện đoàn")
    PROVINCE_OFFICE = "province_office", _("Văn phòng Tỉnh đoàn")


# Where each role is held: a secretary on a cell, an officer on a base union, ...
ROLE_UNIT_KINDS = {
    Role.CELL_SECRETARY: (Kind.CELL,),
    Role.BASE_OFFICER: (Kind.BASE,),
    Role.DISTRICT_STAFF: (Kind.DISTRICT,),
    Role.PROVINCE_OFFICE: (Kind.PROVINCE,),
}


class Assignment(models.Model):
    """One role held by one user on one unit; it covers the unit's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("tài khoản"), on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"

    def clean(self) -> None:
        if self.role and self.unit_id and self.unit.kind not in ROLE_UNIT_KINDS[Role(self.role)]:
            raise ValidationError(
                {
                    "unit": _("Vai trò %(role)s phải gắn với đơn vị cấp %(kinds)s.")
                    % {
                        "role": Role(self.role).label,
                        "kinds": ", ".join(str(Kind(k).label) for k in ROLE_UNIT_KINDS[Role(self.role)]),
                    }
                }
            )


class TemporaryPassword(models.Model):
    """A password someone else set (a new account, a reset): its holder replaces it at their next login
    (``unionapp.accounts``). The row goes when they do."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người đặt"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(_("thời điểm"), default=timezone.now)

    class Meta:
        verbose_name = _("mật khẩu tạm")
        verbose_name_plural = _("mật khẩu tạm")

    def __str__(self) -> str:
        return f"{self.user} ({self.set_at:%d/%m/%Y})"


class AuditEvent(models.Model):
    """Who did what, when: changes to members, referrals, targets, units and assignments (with the
    fields that changed, old and new), logins, failed logins and exports (with the scope)."""

    class Action(models.TextChoices):
        CREATE = "create", _("Tạo mới")
        CHANGE = "change", _("Sửa")
        DELETE = "delete", _("Xóa")
        STATUS = "status", _("Biến động")
        STEP = "step", _("Chuyển bước")
        LOGIN = "login", _("Đăng nhập")
        LOGIN_FAILED = "login_failed", _("Đăng nhập sai")
        EXPORT = "export", _("Xuất dữ liệu")
        IMPORT = "import", _("Nhập dữ liệu")

    at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(_("tên đăng nhập"), max_length=150, blank=True)
    action = models.CharField(_("hành động"), max_length=14, choices=Action.choices)
    object_type = models.CharField(_("loại"), max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    label = models.CharField(_("đối tượng"), max_length=255, blank=True)
    changes = models.JSONField(_("thay đổi"), default=dict, blank=True)
    scope = models.CharField(_("phạm vi"), max_length=255, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # The unit the change concerns (a member's or referral's cell, a unit, a target's unit, an import's unit):
    # what a unit's log lists (``unionapp.views.unit_log``). None for accounts, logins and lists across units.
    unit = models.ForeignKey(
        "Unit", verbose_name=_("đơn vị"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("nhật ký")
        verbose_name_plural = _("nhật ký")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.username} {self.action} {self.label}"


class FormSubmission(models.Model):
    """A form that was acted on, by the token it was shown with and what was sent (``unionapp.submissions``):
    a second post of the same form with the same content leads to what the first one did instead of doing it
    again. Kept two days."""

    token = models.CharField(max_length=32)
    # What was sent, hashed: the same page sent again with other values (back, change, send) is another post.
    digest = models.CharField(max_length=64, default="")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    url = models.TextField()  # where the first post led; a step's "next" (the board it came from) may be long
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("biểu mẫu đã lưu")
        verbose_name_plural = _("biểu mẫu đã lưu")
        constraints = [models.UniqueConstraint(fields=["user", "token", "digest"], name="one_save_per_post")]

    def __str__(self) -> str:
        return f"{self.token} → {self.url}"
