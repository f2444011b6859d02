from datetime import date

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members import text
from members.models import (
    MAX_STAY_MONTHS,
    Member,
    Rating,
    Status,
    joining_dates_refused,
    party_dates_refused,
)
from members.services import first_event_day
from unionapp.forms import LabelledModelChoiceField, TickedChoiceField, name_key
from unionapp.models import Kind, Unit
from unionapp.scoping import Cap


class DateInput(forms.DateInput):
    """A date typed as dd/mm/yyyy. Not <input type=date>: its display follows the phone's
    settings (often mm/dd/yyyy), while the register everywhere reads dd/mm/yyyy."""

    def __init__(self, attrs=None):
        attrs = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off", **(attrs or {})}
        super().__init__(attrs, format="%d/%m/%Y")


class CellChoiceField(LabelledModelChoiceField):
    """A cell in a picker, in Vietnamese alphabetical order whatever the database's collation."""

    label_columns = ("name", "code")

    @staticmethod
    def label_of(name, code):
        return f"{name} ({code})"

    def option_rows(self) -> list[tuple[str, str]]:
        cells = sorted(self.queryset.values_list("pk", "name", "code"), key=lambda c: (name_key(c[1]), c[0]))
        return [(str(pk), self.label_of(name, code)) for pk, name, code in cells]


def scoped_cells(scope, cap=Cap.EDIT_MEMBERS):
    return scope.units(cap).filter(kind=Kind.CELL, is_active=True).order_by("name")


def check_dates(cleaned, field_names):
    today = timezone.localdate()
    for name in field_names:
        value = cleaned.get(name)
        if value and value > today:
            raise ValidationError({name: _("Ngày không được sau hôm nay.")})
        if value and value < date(1900, 1, 1):
            raise ValidationError({name: _("Ngày không hợp lệ.")})


class PersonFields:
    """Cleaning shared by every form about a person (a member, an introduced youth): NFC name,
    one phone format, a 12-digit citizen ID. The forms add their own duplicate checks."""

    def clean_full_name(self):
        name = text.nfc(self.cleaned_data["full_name"])
        if len(name) < 2 or not any(c.isalpha() for c in name):
            raise ValidationError(_("Hãy nhập họ và tên đầy đủ."))
        if text.in_old_font(name):  # pasted from an old document
            readings = text.old_font_readings([name])
            if len(readings) == 1:  # read back: put in the box, for the user to check and save
                [meant] = next(iter(readings.values()))
                self.data = self.data.copy()
                self.data[self.add_prefix("full_name")] = meant
                raise ValidationError(
                    _(
                        "Họ và tên được dán từ văn bản gõ bằng phông cũ (%(font)s) nên hiển thị sai; phần mềm đã đọc "
                        "lại thành “%(meant)s” trong ô. Hãy kiểm tra rồi lưu lại."
                    )
                    % {"font": next(iter(readings)), "meant": meant}
                )
            raise ValidationError(
                _(
                    "Họ và tên có vẻ được dán từ văn bản gõ bằng phông cũ (TCVN3 .VnTime hoặc VNI) nên hiển thị sai. "
                    "Hãy gõ lại bằng bộ gõ tiếng Việt Unicode."
                )
            )
        return name

    def clean_phone(self):
        try:
            return text.normalise_phone(self.cleaned_data.get("phone"))
        except ValueError:
            raise ValidationError(_("Số điện thoại không hợp lệ: cần 10 chữ số, bắt đầu bằng 0 (hoặc +84).")) from None

    def citizen_id_format(self) -> str | None:
        try:
            return text.normalise_citizen_id(self.cleaned_data.get("citizen_id"))
        except ValueError:
            raise ValidationError(_("Số CCCD phải gồm đúng 12 chữ số.")) from None


class MemberForm(PersonFields, forms.ModelForm):
    """Create and edit a member. Normalises text (NFC), phone and citizen ID, refuses an
    exact citizen-ID duplicate and asks for confirmation of a likely one (same name and birth date)."""

    confirm_duplicate = forms.BooleanField(label=_("Tôi đã kiểm tra: đây là một người khác, vẫn lưu."), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Longer than the stored values: people type spaces, dots and +84, normalised in clean_*().
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=30,
        required=False,
        help_text=_("Ví dụ: 0912 345 678"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "type": "tel"}),
    )
    citizen_id = forms.CharField(
        label=_("Số CCCD"),
        max_length=30,
        required=False,
        help_text=_("12 chữ số, có thể để trống."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    class Meta:
        model = Member
        fields = [
            "cell",
            "full_name",
            "date_of_birth",
            "gender",
            "ethnicity",
            "religion",
            "citizen_id",
            "phone",
            "address",
            "education",
            "occupation",
            "joined_on",
            "card_number",
            "party_introduced_on",
            "party_admitted_on",
        ]
        widgets = {
            "date_of_birth": DateInput(),
            "joined_on": DateInput(),
            "party_introduced_on": DateInput(),
            "party_admitted_on": DateInput(),
        }

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["cell"] = CellChoiceField(queryset=scoped_cells(scope), label=_("Chi đoàn"))
        cells = self.fields["cell"].queryset
        if not self.instance.pk and not self.is_bound and len(cells[:2]) == 1:
            self.initial["cell"] = cells[0].pk
        if self.instance.pk:
            self.initial["version"] = self.instance.version
        self.fields["gender"].choices = [c for c in self.fields["gender"].choices if c[0]]
        self.fields["gender"].widget = forms.RadioSelect(choices=self.fields["gender"].choices)
        self.duplicates: list[Member] = []
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_citizen_id(self):
        value = self.citizen_id_format()
        if value:
            other = Member.objects.filter(citizen_id=value).exclude(pk=self.instance.pk).select_related("cell").first()
            if other:
                raise ValidationError(
                    _("Số CCCD này đã có trong sổ đoàn viên (%(unit)s). Không thể nhập trùng.")
                    % {"unit": self.scope.unit_label(other.cell)}
                )
        return value

    def clean(self):
        cleaned = super().clean()
        check_dates(cleaned, ["date_of_birth", "joined_on", "party_introduced_on", "party_admitted_on"])
        dob, joined = cleaned.get("date_of_birth"), cleaned.get("joined_on")
        if refusal := joining_dates_refused(dob, joined):
            self.add_error("joined_on", refusal)
        elif joined and self.instance.pk and (first := first_event_day(self.instance)) and joined > first:
            self.add_error(
                "joined_on",
                _("Ngày vào Đoàn không được sau biến động đầu tiên của đoàn viên (%(first)s).")
                % {"first": f"{first:%d/%m/%Y}"},
            )
        party = party_dates_refused(dob, joined, cleaned.get("party_introduced_on"), cleaned.get("party_admitted_on"))
        for name, refusal in party.items():
            self.add_error(name, refusal)
        if self.errors:
            return cleaned
        self.duplicates = self.likely_duplicates(cleaned)
        if self.duplicates and not cleaned.get("confirm_duplicate"):
            raise ValidationError(
                _("Có thể trùng với đoàn viên đã có (cùng họ tên và ngày sinh). Hãy kiểm tra danh sách bên dưới.")
            )
        return cleaned

    def likely_duplicates(self, cleaned) -> list[Member]:
        """Same normalised name and birth date anywhere in the cell's province."""
        cell, name, dob = cleaned.get("cell"), cleaned.get("full_name"), cleaned.get("date_of_birth")
        if not (cell and name and dob):
            return []
        province = Unit(path=cell.province_path())
        return list(
            Member.objects.filter(province.subtree_q("cell__"), search_name=text.fold(name), date_of_birth=dob)
            .exclude(pk=self.instance.pk)
            .select_related("cell")[:5]
        )


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(label=_("Tình trạng mới"), choices=Status.choices)
    date = forms.DateField(label=_("Ngày"), widget=DateInput())
    reason = forms.CharField(label=_("Lý do"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        if member is not None:
            self.fields["to_status"].choices = [c for c in Status.choices if c[0] != member.status]
        self.initial.setdefault("date", timezone.localdate())
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        check_dates(cleaned, ["date"])
        if "reason" in cleaned:
            cleaned["reason"] = text.nfc(cleaned["reason"])
            if not cleaned["reason"]:
                self.add_error("reason", _("Hãy ghi lý do."))
        return cleaned


class MaturedForm(StatusForm):
    """Trưởng thành Đoàn for the ticked members of a cell, on one date, with one reason."""

    members = TickedChoiceField(
        label=_("Đoàn viên"),
        required=_("Hãy chọn ít nhất một đoàn viên."),
        invalid=_(
            "Có đoàn viên đã chọn không còn trong danh sách (có thể vừa được người khác cập nhật). Hãy xem lại danh sách."
        ),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["to_status"]
        self.fields["members"].queryset = candidates
        self.initial.setdefault("reason", _("Trưởng thành Đoàn (quá 30 tuổi)"))


class TransferForm(forms.Form):
    to_cell_code = forms.CharField(
        label=_("Mã chi đoàn đến"),
        max_length=30,
        help_text=_("Mã của chi đoàn nhận (hỏi bí thư chi đoàn đó hoặc cán bộ Đoàn cấp trên)."),
    )
    date = forms.DateField(label=_("Ngày chuyển"), widget=DateInput())
    until = forms.DateField(
        label=_("Sinh hoạt tạm thời đến ngày"),
        required=False,
        widget=DateInput(),
    )
    reason = forms.CharField(label=_("Lý do"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self.initial.setdefault("date", timezone.localdate())
        self.fields["until"].help_text = _(
            "Để trống nếu chuyển hẳn. Sinh hoạt tạm thời tối đa %(n)s tháng; trong thời gian đó đoàn viên vẫn thuộc "
            "và được tính ở chi đoàn hiện tại."
        ) % {"n": MAX_STAY_MONTHS}
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_to_cell_code(self):
        code = text.nfc(self.cleaned_data["to_cell_code"]).upper()
        # Any active cell may receive a member; only its name is shown, never its register.
        cell = Unit.objects.filter(code__iexact=code, kind=Kind.CELL, is_active=True).first()
        if cell is None:
            raise ValidationError(_("Không tìm thấy chi đoàn có mã %(code)s.") % {"code": code})
        if cell.pk == self.member.cell_id:
            raise ValidationError(_("Đoàn viên đang sinh hoạt ở chi đoàn này."))
        return cell

    def clean(self):
        cleaned = super().clean()
        check_dates(cleaned, ["date"])
        if "reason" in cleaned:
            cleaned["reason"] = text.nfc(cleaned["reason"])
        return cleaned


class ReasonForm(forms.Form):
    """Why a step is undone or refused: required, as the audit trail keeps it."""

    reason = forms.CharField(
        label=_("Lý do"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Hãy ghi lý do.")},
    )

    def clean_reason(self):
        reason = text.nfc(self.cleaned_data["reason"])
        if not reason:
            raise ValidationError(_("Hãy ghi lý do."))
        return reason


class RefuseTransferForm(forms.Form):
    refusal_reason = forms.CharField(label=_("Lý do từ chối"), max_length=500)


class CellRatingForm(forms.Form):
    """One choice per member of the cell, saved together."""

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        choices = [("", _("— Chưa xếp loại —")), *Rating.choices]
        for m in members:
            self.fields[f"m{m.pk}"] = forms.ChoiceField(label=m.full_name, choices=choices, required=False)

    def ratings(self) -> dict[int, str]:
        return {m.pk: self.cleaned_data[f"m{m.pk}"] for m in self.members}

    def rows(self):
        for m in self.members:
            yield m, self[f"m{m.pk}"]
