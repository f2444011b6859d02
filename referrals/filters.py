import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members import text
from members.filters import YearFilter
from referrals.models import Joins, Referral, Stage
from unionapp.forms import UnitChoiceField


class ReferralUnitFilter(django_filters.ModelChoiceFilter):
    field_class = UnitChoiceField

    def filter(self, qs, value):
        return qs.filter(value.subtree_q("cell__")) if value else qs


class ReferralFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Tìm thanh niên"), method="search")
    stage = django_filters.ChoiceFilter(label=_("Giai đoạn"), choices=Stage.choices, empty_label=_("Mọi giai đoạn"))
    joins = django_filters.ChoiceFilter(label=_("Giới thiệu vào"), choices=Joins.choices, empty_label=_("Đoàn và Hội"))
    unit = ReferralUnitFilter(label=_("Đơn vị"), queryset=None, empty_label=_("Tất cả đơn vị trong phạm vi"))
    introducer = django_filters.CharFilter(label=_("Người giới thiệu"), method="filter_introducer")
    start = django_filters.DateFilter(label=_("Giới thiệu từ ngày"), field_name="introduced_on", lookup_expr="gte")
    end = django_filters.DateFilter(label=_("đến ngày"), field_name="introduced_on", lookup_expr="lte")
    year = YearFilter(label=_("Năm"), field_name="introduced_on", lookup_expr="year")

    class Meta:
        model = Referral
        fields = ["q", "stage", "joins", "unit", "introducer", "year", "start", "end"]

    def __init__(self, *args, unit_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = unit_queryset
        for name in ("start", "end"):
            self.form.fields[name].widget.attrs.update(placeholder="dd/mm/yyyy", inputmode="numeric")
        self.form.fields["year"].widget.attrs.update(placeholder=str(timezone.localdate().year))

    def search(self, qs, name, value):
        return qs.filter(search_name__contains=text.fold(value))

    def filter_introducer(self, qs, name, value):
        return qs.filter(introducer__search_name__contains=text.fold(value))
