from django import forms
from django.utils.translation import gettext_lazy as _

from members.forms import DateInput
from reports.models import TargetField

PERIOD_CHOICES = [
    ("year", _("Cả năm")),
    ("h1", _("6 tháng đầu năm")),
    ("q1", _("Quý I")),
    ("q2", _("Quý II")),
    ("q3", _("Quý III")),
    ("q4", _("Quý IV")),
    ("range", _("Khoảng ngày")),
]


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Kỳ báo cáo"),
        choices=PERIOD_CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    year = forms.IntegerField(
        label=_("Năm"),
        min_value=2000,
        max_value=2100,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    start = forms.DateField(label=_("Từ ngày"), widget=DateInput(attrs={"class": "form-control"}), required=False)
    end = forms.DateField(label=_("Đến ngày"), widget=DateInput(attrs={"class": "form-control"}), required=False)


class TargetGridForm(forms.Form):
    """One row of whole-number inputs (0 or more, blank for none) per unit."""

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        for unit in units:
            for field in TargetField:
                self.fields[self.key(unit, field)] = forms.IntegerField(
                    label=f"{unit.name} — {field.label}",
                    min_value=0,
                    max_value=1_000_000,
                    required=False,
                    widget=forms.NumberInput(
                        attrs={"inputmode": "numeric", "class": "form-control form-control-sm num"}
                    ),
                    error_messages={
                        "invalid": _("Hãy nhập số nguyên."),
                        "min_value": _("Chỉ tiêu không được âm."),
                        "max_value": _("Số quá lớn."),
                    },
                )

    @staticmethod
    def key(unit, field) -> str:
        return f"u{unit.pk}_{field}"

    def rows(self):
        for unit in self.units:
            yield unit, [self[self.key(unit, f)] for f in TargetField]

    def values(self) -> dict:
        return {(u.pk, f.value): self.cleaned_data[self.key(u, f)] for u in self.units for f in TargetField}
