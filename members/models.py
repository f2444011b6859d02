"""The member register (sổ danh sách đoàn viên), status history, ratings and transfers."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members import text
from unionapp.models import ChoiceLabels, Unit


class Status(models.TextChoices):
    ACTIVE = "active", _("Đang sinh hoạt")
    AWAY = "away", _("Đi làm ăn xa")
    TRANSFERRED = "transferred", _("Đã chuyển sinh hoạt")
    MATURED = "matured", _("Trưởng thành")
    REMOVED = "removed", _("Xóa tên")
    EXPELLED = "expelled", _("Khai trừ")


# Still members of their cell: counted in "members now" and in the 1+1 rate.
Status.COUNTED = (Status.ACTIVE, Status.AWAY)


# The Union's age range (the charter, since 2011): candidates are 16 to 30 when their cell reviews them, and
# members past 30 mature out (trưởng thành Đoàn).
MIN_AGE, MAX_AGE = 16, 30
# A cell has at least 3 members (the charter); one with fewer is to be merged or strengthened.
MIN_CELL_MEMBERS = 3


def age_on(born, day) -> int:
    """Full years of age on ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def birthday(born, years: int):
    """The day someone born on ``born`` turns ``years`` (1 March for 29 February, in a year without one)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return born.replace(year=born.year + years, month=3, day=1)


# The Party admits Vietnamese citizens from 18 (its charter).
PARTY_MIN_AGE = 18

# The youngest joining age the register accepts, for every year it may hold: members joined from 15 before
# 2011, from 16 since; below 14 the join date or the birth date is mistyped (a birth year typed twice, say).
MIN_JOIN_AGE = 14


def joining_dates_refused(born, joined) -> str | None:
    """Why a join date cannot be right for someone born on ``born``, or None."""
    if not born or not joined:
        return None
    if joined < born:
        return gettext("Ngày vào Đoàn phải sau ngày sinh.")
    if age_on(born, joined) < MIN_JOIN_AGE:
        return gettext("Vào Đoàn khi mới %(age)s tuổi: hãy kiểm tra lại ngày sinh và ngày vào Đoàn.") % {
            "age": age_on(born, joined)
        }
    return None


def party_dates_refused(born, joined, introduced, admitted) -> dict[str, str]:
    """Why the dates a member was introduced to and admitted into the Party cannot be right, by field (the
    member form and the import give the same answers)."""
    refused = {}
    if admitted and introduced and admitted < introduced:
        refused["party_admitted_on"] = gettext("Ngày vào Đảng phải sau ngày giới thiệu.")
    elif admitted and born and age_on(born, admitted) < PARTY_MIN_AGE:  # the Party's charter: citizens from 18
        refused["party_admitted_on"] = gettext(
            "Vào Đảng khi mới %(age)s tuổi: Đảng kết nạp từ 18 tuổi. Hãy kiểm tra lại ngày."
        ) % {"age": age_on(born, admitted)}
    if introduced and joined and introduced < joined:  # the union introduces its outstanding members: a member first
        refused["party_introduced_on"] = gettext("Ngày giới thiệu vào Đảng phải sau ngày vào Đoàn.")
    return refused


def born_by_for_age(day, years: int):
    """The latest birth date of someone at least ``years`` old on ``day``: ``age_on(born, day) >= years``
    exactly when ``born <= born_by_for_age(day, years)`` (someone born on 29 February has their birthday on
    1 March in other years)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February, and the earlier year has none
        return day.replace(year=day.year - years, day=28)


class Gender(models.TextChoices):
    MALE = "M", _("Nam")
    FEMALE = "F", _("Nữ")


class PartyStatus(models.TextChoices):
    NONE = "none", _("Chưa")
    INTRODUCED = "introduced", _("Đã giới thiệu cho Đảng")
    ADMITTED = "admitted", _("Đảng viên")


class Rating(models.TextChoices):
    EXCELLENT = "excellent", _("Hoàn thành xuất sắc nhiệm vụ")
    GOOD = "good", _("Hoàn thành tốt nhiệm vụ")
    DONE = "done", _("Hoàn thành nhiệm vụ")
    FAILED = "failed", _("Không hoàn thành nhiệm vụ")


class MemberQuerySet(models.QuerySet):
    def counted(self) -> "MemberQuerySet":
        return self.filter(status__in=Status.COUNTED)

    def past_max_age(self, day) -> "MemberQuerySet":
        """Members still counted who are past 30 on ``day``: due to mature out (trưởng thành Đoàn)."""
        return self.counted().filter(date_of_birth__lte=born_by_for_age(day, MAX_AGE + 1))

    def search(self, query: str) -> "MemberQuerySet":
        """Accent-insensitive name search, or phone / citizen ID / card number. On PostgreSQL a trigram
        index finds the name and an index the card number (migration 0005); SQLite scans the scoped rows."""
        query = text.nfc(query)
        if not query:
            return self
        q = Q(search_name__contains=text.fold(query)) | Q(card_number__iexact=query)
        digits = "".join(c for c in query if c.isdigit())
        if len(digits) >= 4 and len(digits) >= len(query.replace(" ", "").replace(".", "").replace("+", "")) - 1:
            q |= Q(citizen_id__contains=digits)
            try:
                q |= Q(phone=text.normalise_phone(query))
            except ValueError:
                q |= Q(phone__contains=digits)
        return self.filter(q)


class ImportBatch(models.Model):
    """One committed register import; it can be undone while none of its members changed."""

    cell_scope = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    file_name = models.CharField(_("tệp"), max_length=255)
    row_count = models.PositiveIntegerField(_("số dòng"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    undone_at = models.DateTimeField(_("đã hoàn tác lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lần nhập Excel")
        verbose_name_plural = _("các lần nhập Excel")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class Member(ChoiceLabels, models.Model):
    cell = models.ForeignKey(
        Unit,
        verbose_name=_("chi đoàn"),
        on_delete=models.PROTECT,
        related_name="members",
        limit_choices_to={"kind": "cell"},
    )
    full_name = models.CharField(_("họ và tên"), max_length=120)
    date_of_birth = models.DateField(_("ngày sinh"))
    gender = models.CharField(_("giới tính"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("dân tộc"), max_length=50, default="Kinh", blank=True)
    religion = models.CharField(_("tôn giáo"), max_length=50, default="Không", blank=True)
    citizen_id = models.CharField(_("số CCCD"), max_length=12, null=True, blank=True, unique=True)
    phone = models.CharField(_("số điện thoại"), max_length=11, blank=True, db_index=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    education = models.CharField(_("trình độ học vấn"), max_length=100, blank=True)
    occupation = models.CharField(_("nghề nghiệp"), max_length=100, blank=True)
    joined_on = models.DateField(_("ngày vào Đoàn"), null=True, blank=True)
    card_number = models.CharField(_("số thẻ đoàn viên"), max_length=30, blank=True)
    status = models.CharField(_("tình trạng"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    # The day the member stopped being counted (moved to a status outside Status.COUNTED); None while
    # counted. Kept by members.services.change_status; what "members at a date" reads (reports).
    left_on = models.DateField(_("ngày rời sổ"), null=True, blank=True, editable=False)
    party_introduced_on = models.DateField(_("ngày giới thiệu cho Đảng"), null=True, blank=True)
    party_admitted_on = models.DateField(_("ngày vào Đảng"), null=True, blank=True)

    # Derived from full_name by refresh_derived(): what search and register order use.
    search_name = models.CharField(max_length=120, editable=False, db_index=True)
    sort_key = models.CharField(max_length=255, editable=False, db_index=True)

    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    # Optimistic locking: an edit based on an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    # How many of the version's steps came from correcting the date of the approval decision that admitted the
    # member (``referrals.services.correct_decision``): they keep an open edit form from overwriting the new join
    # date, but are not a life in the register (``services.have_history``).
    decision_corrections = models.PositiveIntegerField(default=0, editable=False)

    objects = MemberQuerySet.as_manager()
    # A temporary stay elsewhere running today, where a page shows it (the cell's register sets it). Declared so
    # that a list without it reads None: a template looking up a missing attribute goes through three failed
    # lookups, 70 µs a row.
    stay = None

    class Meta:
        verbose_name = _("đoàn viên")
        verbose_name_plural = _("đoàn viên")
        ordering = ["sort_key", "pk"]
        indexes = [
            # The likely-duplicate check (same normalised name and birth date anywhere).
            models.Index(fields=["search_name", "date_of_birth"], name="member_name_dob"),
            # Per-cell counts by status (unit pages).
            models.Index(fields=["cell", "status"], name="member_cell_status"),
            # Members counted on a date, per cell (reports.rollup, referrals.stats.counted_on): covering,
            # so the count reads the index only.
            models.Index(fields=["cell", "joined_on", "left_on", "status", "created_at"], name="member_counted"),
            # Party milestones in a period (reports).
            models.Index(fields=["party_introduced_on", "cell"], name="member_party_introduced"),
            models.Index(fields=["party_admitted_on", "cell"], name="member_party_admitted"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(citizen_id__isnull=True) | Q(citizen_id__regex=r"^[0-9]{12}$"),
                name="member_citizen_id_12_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("member_detail", args=[self.pk])

    def refresh_derived(self) -> None:
        """Normalise the text fields (NFC) and recompute search_name and sort_key.
        Every write path (forms, import, seed, admin) calls this before saving."""
        for field in ("full_name", "ethnicity", "religion", "address", "education", "occupation", "card_number"):
            setattr(self, field, text.nfc(getattr(self, field)))
        self.citizen_id = self.citizen_id or None
        self.search_name = text.fold(self.full_name)
        self.sort_key = text.sort_key(self.full_name)

    @property
    def party_status(self) -> str:
        if self.party_admitted_on:
            return PartyStatus.ADMITTED
        if self.party_introduced_on:
            return PartyStatus.INTRODUCED
        return PartyStatus.NONE

    @property
    def is_counted(self) -> bool:
        """Still a member of their cell (active or working away): counted, and the one who may change cells."""
        return self.status in Status.COUNTED

    @property
    def masked_citizen_id(self) -> str:
        return text.mask_citizen_id(self.citizen_id)


class StatusEvent(models.Model):
    """A dated change of status. The member's ``status`` is always the last event's ``to_status``."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="status_events")
    from_status = models.CharField(_("từ"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("thành"), max_length=12, choices=Status.choices)
    date = models.DateField(_("ngày"))
    reason = models.CharField(_("lý do"), max_length=500)
    from_cell = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_cell = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("biến động")
        verbose_name_plural = _("biến động")
        ordering = ["-date", "-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_to_status_display()} ({self.date:%d/%m/%Y})"


class YearRating(models.Model):
    """A member's rating at a year's review, by the cell that rated them: ``cell`` stays that cell when the member
    moves on, so a year's results per unit (``rollup.ratings_report``) are those its cells reported."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="ratings")
    cell = models.ForeignKey("unionapp.Unit", verbose_name=_("chi đoàn"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    rating = models.CharField(_("xếp loại"), max_length=10, choices=Rating.choices)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("xếp loại đoàn viên")
        verbose_name_plural = _("xếp loại đoàn viên")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="rating_once_a_year")]
        # rollup.ratings_report: a year's ratings counted per cell from the index alone.
        indexes = [models.Index(fields=["year", "cell", "rating"], name="rating_year_cell")]

    def __str__(self) -> str:
        return f"{self.member} {self.year}: {self.get_rating_display()}"


# A temporary transfer (sinh hoạt tạm thời) lasts at most this many months.
MAX_STAY_MONTHS = 3


def months_after(day, months: int):
    """The same day ``months`` later, or the month's last day when it has none (30/11 + 3 -> 28/02)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    raise ValueError(day)


class TransferQuerySet(models.QuerySet):
    def stays_on(self, day):
        """Temporary transfers running on ``day``: accepted, started, not yet over."""
        return self.filter(state=Transfer.State.ACCEPTED, until__isnull=False, date__lte=day, until__gte=day)


class Transfer(models.Model):
    """A move to a cell outside the requester's scope, waiting for the destination to accept.
    The member stays in (and is counted by) the old cell until it is accepted.

    With ``until`` it is temporary (sinh hoạt tạm thời, at most MAX_STAY_MONTHS): once accepted the member takes
    part in the other cell's life from ``date`` to ``until`` but stays in, and is counted by, their own cell."""

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ tiếp nhận")
        ACCEPTED = "accepted", _("Đã tiếp nhận")
        REFUSED = "refused", _("Từ chối")
        WITHDRAWN = "withdrawn", _("Đã rút lại")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="transfers")
    from_cell = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("chi đoàn đi"))
    to_cell = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="incoming_transfers", verbose_name=_("chi đoàn đến")
    )
    state = models.CharField(_("trạng thái"), max_length=10, choices=State.choices, default=State.PENDING)
    reason = models.CharField(_("lý do"), max_length=500)
    date = models.DateField(_("ngày chuyển"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.CharField(_("lý do từ chối"), max_length=500, blank=True)
    until = models.DateField(_("tạm thời đến ngày"), null=True, blank=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("chuyển sinh hoạt")
        verbose_name_plural = _("chuyển sinh hoạt")
        ordering = ["-requested_at"]
        constraints = [
            # At most one open transfer per member: it can only be counted in one place.
            models.UniqueConstraint(fields=["member"], condition=Q(state="pending"), name="transfer_one_pending"),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("date")), name="transfer_until_after_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.from_cell} → {self.to_cell}"

    @property
    def is_temporary(self) -> bool:
        return self.until is not None

    def runs_on(self, day) -> bool:
        """A temporary transfer running on ``day`` (as ``Transfer.objects.stays_on(day)`` selects)."""
        return self.is_temporary and self.state == Transfer.State.ACCEPTED and self.date <= day <= self.until
