import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Gender, Member, PartyStatus, Rating, Status, YearRating
from referrals.models import Referral
from unionapp.forms import UnitChoiceField
from unionapp.models import Kind, Unit
from unionapp.scoping import Cap


class UnitFilter(django_filters.ModelChoiceFilter):
    """The unit to list; applied together with the scope (MemberFilter.filter_queryset)."""

    field_class = UnitChoiceField

    def filter(self, qs, value):
        return qs


class YearFilter(django_filters.NumberFilter):
    """A year typed into a list's filters: a whole number between 1900 and 2100, so that a slip ("-1", "20055",
    "2005.5") is told on the list, not answered with an error page."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        message = _("Hãy gõ năm bằng bốn chữ số, ví dụ 2005.")
        kwargs |= {"min_value": 1900, "max_value": 2100}
        kwargs["error_messages"] = {"invalid": message, "min_value": message, "max_value": message}
        super().__init__(*args, **kwargs)


class MemberFilter(django_filters.FilterSet):
    """The register's filters. Built with the request so every choice comes from the user's scope."""

    q = django_filters.CharFilter(label=_("Tìm kiếm"), method="search")
    unit = UnitFilter(label=_("Đơn vị"), queryset=None, empty_label=_("Tất cả đơn vị trong phạm vi"))
    status = django_filters.ChoiceFilter(label=_("Tình trạng"), choices=Status.choices, empty_label=_("Mọi tình trạng"))
    gender = django_filters.ChoiceFilter(label=_("Giới tính"), choices=Gender.choices, empty_label=_("Nam và nữ"))
    birth_year = YearFilter(label=_("Năm sinh"), field_name="date_of_birth", lookup_expr="year")
    rating = django_filters.ChoiceFilter(
        label=_("Xếp loại năm trước"), choices=Rating.choices, method="filter_rating", empty_label=_("Mọi xếp loại")
    )
    party = django_filters.ChoiceFilter(
        label=_("Đảng"), choices=PartyStatus.choices, method="filter_party", empty_label=_("Tất cả")
    )

    one_plus_one = django_filters.ChoiceFilter(
        label=_("1+1 năm nay"),
        choices=[("done", _("Đã giới thiệu thanh niên")), ("not_yet", _("Chưa giới thiệu ai"))],
        method="filter_one_plus_one",
        empty_label=_("Tất cả"),
    )

    class Meta:
        model = Member
        fields = ["q", "unit", "status", "gender", "birth_year", "rating", "party", "one_plus_one"]

    def __init__(self, data=None, *, scope, unit_queryset, **kwargs):
        # Nothing outside the scope even by mistake: every result comes from scoped() below.
        super().__init__(data, queryset=Member.objects.none(), **kwargs)
        self.scope = scope
        self.filters["unit"].queryset = unit_queryset.exclude(kind=Kind.CELL, is_active=False)
        self.form.fields["q"].widget.attrs.update(
            placeholder=_("Họ tên (gõ có dấu hoặc không), số điện thoại, CCCD, số thẻ"), type="search"
        )

    def scoped(self, unit: Unit | None = None):
        """Members of the cells in scope, under ``unit`` when given, as one literal id list: a second
        IN list on the same column makes PostgreSQL misjudge the rows and scan the whole table."""
        cells = self.scope.cell_ids(Cap.VIEW_MEMBERS, within=unit)
        return Member.objects.filter(cell_id__in=cells).select_related("cell")

    def results(self):
        """What the register lists: members still in the register by default, nothing on invalid input."""
        if not self.is_bound:
            return self.scoped().filter(status__in=Status.COUNTED)
        return self.qs if self.is_valid() else Member.objects.none()

    def filter_queryset(self, queryset):
        return super().filter_queryset(self.scoped(self.form.cleaned_data.get("unit")))

    def search(self, qs, name, value):
        return qs.search(value)

    def filter_rating(self, qs, name, value):
        year = timezone.localdate().year - 1
        return qs.filter(Exists(YearRating.objects.filter(member=OuterRef("pk"), year=year, rating=value)))

    def filter_party(self, qs, name, value):
        if value == PartyStatus.ADMITTED:
            return qs.filter(party_admitted_on__isnull=False)
        if value == PartyStatus.INTRODUCED:
            return qs.filter(party_introduced_on__isnull=False, party_admitted_on__isnull=True)
        return qs.filter(party_introduced_on__isnull=True, party_admitted_on__isnull=True)

    def filter_one_plus_one(self, qs, name, value):
        """Members who introduced someone this year (the 1+1 of the year's report), or who have not yet."""
        introduced = Referral.objects.filter(introducer=OuterRef("pk"), introduced_on__year=timezone.localdate().year)
        return qs.filter(Exists(introduced)) if value == "done" else qs.exclude(Exists(introduced))
