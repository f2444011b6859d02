from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members import text
from members.forms import CellChoiceField, DateInput, PersonFields, check_dates
from members.models import Member, Status, age_on
from referrals.models import Joins, Referral, Stage
from referrals.services import MAX_AGE, MIN_AGE
from unionapp.forms import TickedChoiceField, required_text, row_id
from unionapp.models import Kind, Unit
from unionapp.scoping import Cap


class IntroducerSelect(forms.Select):
    """A cell's members are all listed; past RENDER_LIMIT (a whole commune union) only the chosen one is, and
    the search box asks the server. Decided when the form is drawn: a form saved at once never counts them.
    Validation uses the field's whole queryset either way. The member a record keeps (``field.kept``, who
    may have left since) is listed too."""

    RENDER_LIMIT = 300

    def get_context(self, name, value, attrs):
        if isinstance(self.choices, ModelChoiceIterator):
            field = self.choices.field
            kept, listed = field.kept, None
            if field.queryset.count() > self.RENDER_LIMIT:
                chosen = [v for v in self.format_value(value) if row_id(v)]
                listed = list(field.queryset.filter(pk__in=chosen))
                kept = kept if kept and str(kept.pk) in chosen else None
            elif kept:
                listed = list(field.queryset)
            if listed is not None:
                if kept and kept not in listed:
                    listed.append(kept)
                self.choices = [("", field.empty_label), *((m.pk, field.label_from_instance(m)) for m in listed)]
        return super().get_context(name, value, attrs)


class IntroducerField(forms.ModelChoiceField):
    """A member of the queryset, or ``kept``: the introducer a correction keeps though they are no longer in
    it (they have left since). Kept apart rather than ORed into the queryset: an OR across the join to the
    tree made PostgreSQL read every member of the province (300 ms for a cell secretary's edit page)."""

    widget = IntroducerSelect

    def __init__(self, *args, kept=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept = kept

    def to_python(self, value):
        if self.kept is not None and str(value) == str(self.kept.pk):
            return self.kept
        return super().to_python(value)

    def label_from_instance(self, m):
        return f"{m.full_name} — {m.date_of_birth:%d/%m/%Y}"


class ReferralForm(PersonFields, forms.ModelForm):
    """Log a referral in under a minute: who introduces, who is introduced, into what.
    Refuses an open referral with the same citizen ID; warns (confirmable) about the rest."""

    BY_MEMBER, BY_COLLECTIVE = "member", "collective"
    introduced_by = forms.ChoiceField(
        label=_("Hình thức giới thiệu"),
        choices=[(BY_MEMBER, _("Đoàn viên (tính 1+1)")), (BY_COLLECTIVE, _("Tập thể (Chi hội, Chi đội...)"))],
        initial=BY_MEMBER,
        widget=forms.RadioSelect,
    )
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    citizen_id = forms.CharField(
        label=_("Số CCCD"),
        max_length=30,
        required=False,
        help_text=_("Không bắt buộc. 12 chữ số."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    confirm_warnings = forms.BooleanField(label=_("Tôi đã đọc các lưu ý trên, vẫn ghi nhận."), required=False)

    class Meta:
        model = Referral
        fields = [
            "cell",
            "introduced_by",
            "introducer",
            "collective_kind",
            "collective_name",
            "joins",
            "full_name",
            "date_of_birth",
            "gender",
            "phone",
            "citizen_id",
            "address",
            "place_kind",
            "place_name",
            "introduced_on",
            "note",
        ]
        widgets = {
            "date_of_birth": DateInput(),
            "introduced_on": DateInput(),
            "joins": forms.RadioSelect,
            "gender": forms.RadioSelect,
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        cells = scope.units(Cap.LOG_REFERRALS).filter(kind=Kind.CELL, is_active=True).order_by("name")
        self.fields["cell"] = CellChoiceField(queryset=cells, label=_("Chi đoàn"))
        if not self.is_bound and len(cells[:2]) == 1:
            self.initial["cell"] = cells[0].pk
        members = scope.filter(Member.objects.filter(status__in=Status.COUNTED), Cap.LOG_REFERRALS, via="cell__")
        self.fields["introducer"] = IntroducerField(
            queryset=members.select_related("cell"),
            # A correction keeps its introducer even if they have left since.
            kept=self.instance.introducer if self.instance.introducer_id else None,
            required=False,
            label=_("Đoàn viên giới thiệu"),
        )
        self.fields["introducer"].widget.attrs.update(
            {
                "data-member-picker": "1",
                "data-search-url": reverse("introducer_search"),
                "data-search-placeholder": _("Gõ tên để tìm (có dấu hoặc không)"),
            }
        )
        self.fields["gender"].choices = [c for c in self.fields["gender"].choices if c[0]]
        self.fields["collective_kind"].required = False
        self.fields["introduced_on"].initial = timezone.localdate()
        self.warnings: list[str] = []
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_citizen_id(self):
        value = self.citizen_id_format()
        if value:
            other = (
                Referral.objects.filter(citizen_id=value, stage__in=Stage.OPEN)
                .exclude(pk=self.instance.pk)
                .select_related("cell")
                .first()
            )
            if other:
                raise ValidationError(
                    _(
                        "Thanh niên có số CCCD này đang được %(unit)s giới thiệu (hồ sơ chưa kết thúc). Không thể ghi nhận trùng."
                    )
                    % {"unit": self.scope.unit_label(other.cell)}
                )
        return value

    def clean(self):
        cleaned = super().clean()
        check_dates(cleaned, ["date_of_birth", "introduced_on"])
        cell = cleaned.get("cell")
        if cleaned.get("introduced_by") == self.BY_MEMBER:
            introducer = cleaned.get("introducer")
            if not introducer:
                self.add_error("introducer", _("Hãy chọn đoàn viên giới thiệu."))
            elif cell and introducer.cell_id != cell.pk:
                self.add_error("introducer", _("Đoàn viên giới thiệu phải thuộc chi đoàn đã chọn."))
            elif (day := cleaned.get("introduced_on")) and introducer.joined_on and day < introducer.joined_on:
                # Under 1+1 a member introduces, and is credited: not before they were one.
                self.add_error(
                    "introduced_on",
                    _("%(name)s vào Đoàn ngày %(joined)s: ngày giới thiệu phải từ ngày đó trở đi.")
                    % {"name": introducer.full_name, "joined": f"{introducer.joined_on:%d/%m/%Y}"},
                )
            cleaned["collective_kind"], cleaned["collective_name"] = "", ""
        else:
            cleaned["introducer"] = None
            if not cleaned.get("collective_kind"):
                self.add_error("collective_kind", _("Hãy chọn loại tập thể giới thiệu."))
            if not text.nfc(cleaned.get("collective_name")):
                self.add_error("collective_name", _("Hãy ghi tên tập thể giới thiệu."))
        if self.errors:
            return cleaned
        self.warnings = self.find_warnings(cleaned)
        if self.warnings and not cleaned.get("confirm_warnings"):
            raise ValidationError(_("Hãy đọc các lưu ý dưới đây trước khi ghi nhận."))
        return cleaned

    def find_warnings(self, cleaned) -> list[str]:
        """Already a member; already introduced this year anywhere in the province (by which
        unit, nothing more); outside 16–30 for the union."""
        warnings = []
        cell, name, dob, cid = (
            cleaned["cell"],
            cleaned["full_name"],
            cleaned["date_of_birth"],
            cleaned.get("citizen_id"),
        )
        province = Unit(path=cell.province_path())
        same_person = Q(search_name=text.fold(name), date_of_birth=dob)
        if cid:
            same_person |= Q(citizen_id=cid)
        member = Member.objects.filter(same_person).select_related("cell").first()
        if member:
            warnings.append(
                _("Thanh niên này có thể đã là đoàn viên (%(unit)s).") % {"unit": self.scope.unit_label(member.cell)}
            )
        year = cleaned["introduced_on"].year
        others = (
            Referral.objects.filter(province.subtree_q("cell__"), same_person, introduced_on__year=year)
            .exclude(pk=self.instance.pk)
            .select_related("cell")
        )
        for other in others[:3]:
            warnings.append(
                _("Thanh niên này đã được giới thiệu trong năm %(year)s, tại %(unit)s.")
                % {"year": year, "unit": other.cell.name}
            )
        if cleaned["joins"] == Joins.UNION:
            age = age_on(dob, cleaned["introduced_on"])
            if not MIN_AGE <= age <= MAX_AGE:
                warnings.append(
                    _("Thanh niên %(age)s tuổi: tuổi kết nạp Đoàn là từ 16 đến 30 (xét khi chi đoàn họp).")
                    % {"age": age}
                )
        return warnings


class TrainingForm(forms.Form):
    course_name = forms.CharField(
        label=_("Tên lớp bồi dưỡng"), max_length=200, initial=_("Lớp bồi dưỡng nhận thức về Đoàn")
    )
    start = forms.DateField(label=_("Từ ngày"), widget=DateInput())
    end = forms.DateField(label=_("Đến ngày"), widget=DateInput(), required=False)

    def clean_course_name(self):
        return required_text(self.cleaned_data["course_name"])


class ReviewForm(forms.Form):
    review_date = forms.DateField(label=_("Ngày chi đoàn họp xét"), widget=DateInput())
    votes_present = forms.IntegerField(label=_("Số đoàn viên có mặt"), min_value=1, max_value=10000)
    votes_for = forms.IntegerField(label=_("Số tán thành"), min_value=0, max_value=10000)

    def clean(self):
        cleaned = super().clean()
        check_dates(cleaned, ["review_date"])
        return cleaned


class AdmitForm(forms.Form):
    decision_number = forms.CharField(label=_("Số quyết định chuẩn y"), max_length=50, help_text=_("Ví dụ: 15-QĐ/ĐTN"))
    decision_date = forms.DateField(label=_("Ngày quyết định"), widget=DateInput())
    cell = CellChoiceField(queryset=Unit.objects.none(), label=_("Kết nạp vào chi đoàn"), required=False)

    def __init__(self, *args, cells=None, **kwargs):
        super().__init__(*args, **kwargs)
        if cells is None:
            del self.fields["cell"]  # several at once: each into the cell that proposed them
        else:
            self.fields["cell"].queryset = cells
        self.initial.setdefault("decision_date", timezone.localdate())

    def clean(self):
        cleaned = super().clean()
        check_dates(cleaned, ["decision_date"])
        return cleaned

    def clean_decision_number(self):
        return required_text(self.cleaned_data["decision_number"])


class ChosenReferrals(forms.Form):
    """The referrals a step is applied to at once, ticked from ``candidates`` (scoped by the view)."""

    referrals = TickedChoiceField(
        label=_("Hồ sơ"),
        required=_("Hãy chọn ít nhất một hồ sơ."),
        invalid=_(
            "Có hồ sơ đã chọn không còn ở bước này (có thể vừa được người khác cập nhật). Hãy xem lại danh sách."
        ),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referrals"].queryset = candidates


class TrainingManyForm(ChosenReferrals, TrainingForm):
    pass


class AdmitManyForm(ChosenReferrals, AdmitForm):
    pass
