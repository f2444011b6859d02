""" "1+1" referrals: a young person introduced by a member (or a collective), and their way to admission."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members import text
from members.models import Gender, Member, age_on
from unionapp.models import ChoiceLabels, Unit


class Stage(models.TextChoices):
    INTRODUCED = "introduced", _("Đã giới thiệu")
    TRAINING = "training", _("Đang bồi dưỡng")
    REVIEWED = "reviewed", _("Chi đoàn đã xét")
    ADMITTED = "admitted", _("Đã kết nạp")
    NOT_ADMITTED = "not_admitted", _("Không kết nạp")
    WITHDRAWN = "withdrawn", _("Rút hồ sơ")


Stage.OPEN = (Stage.INTRODUCED, Stage.TRAINING, Stage.REVIEWED)
Stage.CLOSED = (Stage.ADMITTED, Stage.NOT_ADMITTED, Stage.WITHDRAWN)
# Forward order of the open stages; closing is possible from any open stage (admission only after review).
Stage.NEXT = {Stage.INTRODUCED: Stage.TRAINING, Stage.TRAINING: Stage.REVIEWED}


class Joins(models.TextChoices):
    UNION = "union", _("Đoàn TNCS Hồ Chí Minh")
    FEDERATION = "federation", _("Hội LHTN Việt Nam")


class Place(models.TextChoices):
    SCHOOL = "school", _("Trường học")
    ENTERPRISE = "enterprise", _("Doanh nghiệp")
    RESIDENTIAL = "residential", _("Địa bàn dân cư")
    OTHER = "other", _("Khác")


class Collective(models.TextChoices):
    FEDERATION_BRANCH = "federation_branch", _("Chi hội / Liên chi hội")
    PIONEER_UNIT = "pioneer_unit", _("Liên đội / Chi đội thiếu niên")


class Referral(ChoiceLabels, models.Model):
    # Where the referral is kept and scoped: the introducer's cell, or the cell that logged a collective's.
    cell = models.ForeignKey(Unit, verbose_name=_("chi đoàn"), on_delete=models.PROTECT, related_name="referrals")
    introducer = models.ForeignKey(
        Member,
        verbose_name=_("đoàn viên giới thiệu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    collective_kind = models.CharField(_("tập thể giới thiệu"), max_length=20, choices=Collective.choices, blank=True)
    collective_name = models.CharField(_("tên tập thể"), max_length=200, blank=True)

    full_name = models.CharField(_("họ và tên"), max_length=120)
    date_of_birth = models.DateField(_("ngày sinh"))
    gender = models.CharField(_("giới tính"), max_length=1, choices=Gender.choices)
    phone = models.CharField(_("số điện thoại"), max_length=11, blank=True)
    citizen_id = models.CharField(_("số CCCD"), max_length=12, null=True, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    place_kind = models.CharField(_("nơi học tập, làm việc"), max_length=12, choices=Place.choices)
    place_name = models.CharField(_("tên trường / đơn vị"), max_length=200, blank=True)
    joins = models.CharField(_("giới thiệu vào"), max_length=10, choices=Joins.choices, default=Joins.UNION)
    introduced_on = models.DateField(_("ngày giới thiệu"), default=timezone.localdate)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    search_name = models.CharField(max_length=120, editable=False, db_index=True)

    stage = models.CharField(_("giai đoạn"), max_length=12, choices=Stage.choices, default=Stage.INTRODUCED)
    course_name = models.CharField(_("lớp bồi dưỡng"), max_length=200, blank=True)
    course_start = models.DateField(_("từ ngày"), null=True, blank=True)
    course_end = models.DateField(_("đến ngày"), null=True, blank=True)
    review_date = models.DateField(_("ngày họp xét"), null=True, blank=True)
    votes_for = models.PositiveSmallIntegerField(_("số tán thành"), null=True, blank=True)
    votes_present = models.PositiveSmallIntegerField(_("số có mặt"), null=True, blank=True)
    decision_number = models.CharField(_("số quyết định chuẩn y"), max_length=50, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True, db_index=True)
    admitted_cell = models.ForeignKey(
        Unit, verbose_name=_("chi đoàn kết nạp"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    member = models.OneToOneField(
        Member,
        verbose_name=_("đoàn viên mới"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="admission",
    )
    closing_reason = models.CharField(_("lý do"), max_length=500, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("giới thiệu")
        verbose_name_plural = _("giới thiệu")
        ordering = ["-introduced_on", "-pk"]
        indexes = [
            # Report roll-ups (reports.rollup), covering: introductions by date per cell and introducer,
            # admissions by decision date per admitting cell, open stages per cell.
            models.Index(fields=["introduced_on", "cell", "introducer"], name="referral_introduced"),
            models.Index(fields=["stage", "decision_date", "admitted_cell", "joins"], name="referral_admitted"),
            models.Index(fields=["cell", "stage"], name="referral_cell_stage"),
            models.Index(fields=["introducer", "introduced_on"], name="referral_introducer_date"),
            models.Index(fields=["search_name", "date_of_birth"], name="referral_name_dob"),
            # With the one above, the "introduced already this year" check (same name and birth date, or same
            # citizen ID) reads the matches, not the year's referrals (the province's 30.000). Without the
            # referrals that have no ID (most): SQLite's statistics counted them as one value matching every
            # row, and it read the open referrals of every cell rather than this index (22 ms, and 57 ms for
            # the check, against under 1 ms).
            models.Index(fields=["citizen_id"], name="referral_citizen_id", condition=Q(citizen_id__isnull=False)),
        ]
        constraints = [
            # One open referral per citizen ID: two referrals of the same youth cannot both be open.
            models.UniqueConstraint(
                fields=["citizen_id"],
                condition=Q(citizen_id__isnull=False, stage__in=["introduced", "training", "reviewed"]),
                name="referral_one_open_per_citizen_id",
            ),
            models.CheckConstraint(
                condition=Q(introducer__isnull=False) | ~Q(collective_name=""), name="referral_has_an_introducer"
            ),
            models.CheckConstraint(
                condition=Q(votes_for__isnull=True) | Q(votes_for__lte=models.F("votes_present")),
                name="referral_votes_for_within_present",
            ),
            models.CheckConstraint(
                condition=~Q(stage="admitted", joins="union") | Q(member__isnull=False),
                name="referral_union_admission_has_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_stage_display()})"

    def get_absolute_url(self) -> str:
        return reverse("referral_detail", args=[self.pk])

    def refresh_derived(self) -> None:
        for f in ("full_name", "address", "place_name", "note", "collective_name"):
            setattr(self, f, text.nfc(getattr(self, f)))
        self.citizen_id = self.citizen_id or None
        self.search_name = text.fold(self.full_name)

    @property
    def is_open(self) -> bool:
        return self.stage in Stage.OPEN

    @property
    def introducer_label(self) -> str:
        if self.introducer_id:
            return self.introducer.full_name
        return f"{self.get_collective_kind_display()} {self.collective_name}".strip()

    def age_on(self, day) -> int:
        return age_on(self.date_of_birth, day)


class ReferralEvent(models.Model):
    """One step of a referral: who moved it, when, from which stage to which."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_stage = models.CharField(max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=12, choices=Stage.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.referral}: {self.from_stage} → {self.to_stage}"
