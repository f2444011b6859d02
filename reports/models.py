"""Yearly targets per unit, with the history of every change."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionapp.models import Unit


class TargetField(models.TextChoices):
    UNION = "union", _("Kết nạp đoàn viên")
    FEDERATION = "federation", _("Kết nạp hội viên")
    PARTY = "party", _("Giới thiệu đoàn viên ưu tú cho Đảng")


class Target(models.Model):
    """A unit's plan for one year. An empty value means "no target", shown as "—" in reports."""

    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="targets")
    year = models.PositiveSmallIntegerField(_("năm"))
    union = models.PositiveIntegerField(_("chỉ tiêu kết nạp đoàn viên"), null=True, blank=True)
    federation = models.PositiveIntegerField(_("chỉ tiêu kết nạp hội viên"), null=True, blank=True)
    party = models.PositiveIntegerField(_("chỉ tiêu giới thiệu đoàn viên ưu tú"), null=True, blank=True)

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="target_once_a_year")]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}"


class TargetChange(models.Model):
    """Who changed which target, when, from what to what."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    field = models.CharField(_("chỉ tiêu"), max_length=12, choices=TargetField.choices)
    old = models.PositiveIntegerField(_("giá trị cũ"), null=True, blank=True)
    new = models.PositiveIntegerField(_("giá trị mới"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["unit", "year"], name="targetchange_unit_year")]

    def __str__(self) -> str:
        return f"{self.unit} {self.year} {self.field}: {self.old} → {self.new}"


class Grain(models.IntegerChoices):
    """How much time one summary row covers (see reports/tally.py)."""

    ALL = 0, "all"
    YEAR = 1, "year"
    MONTH = 2, "month"
    DAY = 3, "day"
    HALF = 4, "first half"
    QUARTER = 5, "quarter"


COUNTED = ["members_in", "members_out", "introduced", "admitted_union", "admitted_federation", "party_introduced",
           "party_admitted", "introducers", "in_training", "open_referrals"]  # fmt: skip


class CellTally(models.Model):
    """What happened in one cell during one day, month, year or ever: the summary rows the reports add up.

    Kept in the same transaction as every write (``reports.tally.refresh``), rebuilt and checked by
    ``manage.py tallies``. ``day`` is the first day of the span (0001-01-01 for ALL). ``introducers``
    is distinct, so it is stored only on YEAR, HALF and QUARTER rows; ``in_training`` and
    ``open_referrals`` are the current state, stored only on the ALL row."""

    cell = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", db_index=False)
    # The cell's path, copied here (written with the row, moved with the cell by ``tally.unit_moved``, checked
    # by ``manage.py tallies``): a subtree's rows of one span are one range of the index, read without a join.
    path = models.CharField(max_length=255, default="")
    grain = models.PositiveSmallIntegerField(choices=Grain.choices)
    day = models.DateField()
    members_in = models.IntegerField(default=0)
    members_out = models.IntegerField(default=0)
    introduced = models.IntegerField(default=0)
    admitted_union = models.IntegerField(default=0)
    admitted_federation = models.IntegerField(default=0)
    party_introduced = models.IntegerField(default=0)
    party_admitted = models.IntegerField(default=0)
    introducers = models.IntegerField(default=0)
    in_training = models.IntegerField(default=0)
    open_referrals = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cell", "grain", "day"], name="tally_once")]
        # Covering: a report reads thousands of rows through it without touching the table.
        indexes = [models.Index(fields=["grain", "day", "path", "cell", *COUNTED], name="tally_span")]

    def __str__(self) -> str:
        return f"{self.cell_id} {Grain(self.grain).label} {self.day}"


class UnitMonth(models.Model):
    """Admissions (union and federation) per month in each unit directly under a province (a district, or
    a base union the province holds directly): what a province's or a district's dashboard chart reads,
    a dozen rows a month instead of one per cell. Kept from the cells' month rows in the same transaction
    (``reports.tally.refresh``), rebuilt after a unit moves, checked and rebuilt by ``manage.py tallies``."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()  # the month's first day
    admitted = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="unit_month_once")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day:%m/%Y}: {self.admitted}"
