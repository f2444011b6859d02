import functools
import re
from html import escape

from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordMixin, UsernameField
from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import DjangoTemplates
from django.forms.utils import flatatt
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from members import text
from unionapp.models import ALLOWED_PARENTS, ROLE_UNIT_KINDS, Assignment, Kind, Role, Unit

# --- widgets written in Python --------------------------------------------------------------------

_INPUTS = {
    f"django/forms/widgets/{kind}.html"
    for kind in (
        "text", "number", "email", "date", "hidden", "password", "search", "tel", "url", "checkbox", "time",
        "datetime", "color",
    )
}  # fmt: skip


def _attrs(attrs: dict) -> str:
    """Django's widgets/attrs.html: `` name="value"``, `` name`` when True, nothing when False."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(w: dict) -> str:
    value = "" if w["value"] is None else f' value="{conditional_escape(w["value"])}"'
    return f'<input type="{conditional_escape(w["type"])}" name="{conditional_escape(w["name"])}"{value}{_attrs(w["attrs"])}>'


def _select(w: dict) -> str | None:
    parts = [f'<select name="{conditional_escape(w["name"])}"{_attrs(w["attrs"])}>']
    for group_name, options, _index in w["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for o in options:
            if o["template_name"] != "django/forms/widgets/select_option.html":
                return None
            parts.append(
                f'\n  <option value="{conditional_escape(o["value"])}"{_attrs(o["attrs"])}>{conditional_escape(o["label"])}</option>\n'
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(w: dict) -> str:
    value = conditional_escape(w["value"]) if w["value"] else ""
    return f'<textarea name="{conditional_escape(w["name"])}"{_attrs(w["attrs"])}>\n{value}</textarea>'


class WidgetRenderer(DjangoTemplates):
    """Django's form renderer, but the inputs, selects and text areas written here, character for character
    as Django's templates write them (a test compares the two): a template per widget, and one per option
    of a select, cost 0,2–1,5 ms a field, 16 ms for the register's filters (settings.FORM_RENDERER)."""

    def render(self, template_name, context, request=None):
        w = context.get("widget")
        html = None
        if w is not None and template_name in _INPUTS:
            html = _input(w)
        elif w is not None and template_name == "django/forms/widgets/select.html":
            html = _select(w)
        elif w is not None and template_name == "django/forms/widgets/textarea.html":
            html = _textarea(w)
        return html if html is not None else super().render(template_name, context, request)


class LoginForm(AuthenticationForm):
    """Django's login form with a message that never tells whether the account exists."""

    error_messages = {
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: mật khẩu phân biệt chữ hoa, chữ thường."),
        "inactive": _("Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: mật khẩu phân biệt chữ hoa, chữ thường."),
    }


class ModelSelect(forms.Select):
    """A model choice's options written from one query of the columns its label needs, rather than
    through a template per option: a province's pickers hold 2.300–2.500 units, which took the register
    filter ~100 ms and the referral form ~300 ms to render."""

    def render(self, name, value, attrs=None, renderer=None):
        if not isinstance(self.choices, ModelChoiceIterator):  # choices set by hand: Django's way
            return super().render(name, value, attrs, renderer)
        field = self.choices.field
        chosen = {str(v) for v in self.format_value(value)}
        rows = [("", str(field.empty_label))] if field.empty_label is not None else []
        rows += field.option_rows()
        options = "".join(
            f'<option value="{escape(v)}"{" selected" if v in chosen else ""}>{escape(label)}</option>'
            for v, label in rows
        )
        select = f'<select name="{escape(name)}"{flatatt(self.build_attrs(self.attrs, attrs))}>{options}</select>'
        return mark_safe(select)  # noqa: S308 - names and labels escaped above


MAX_ID = 2**63 - 1  # the largest value of a 64-bit id column


def row_id(value) -> int | None:
    """``value`` (from a query string or a posted form) as a row id, or None when no id column can hold it:
    ASCII digits only ("²" counts as a digit to Python), within a 64-bit column (SQLite cannot even bind more)."""
    value = str(value if value is not None else "")
    return int(value) if value.isascii() and value.isdigit() and int(value) <= MAX_ID else None


class TickedChoiceField(forms.ModelMultipleChoiceField):
    """Rows ticked in a list (drawn by includes/tick_list.html) out of a queryset the view scoped. The
    messages say what the rows are; a wrong choice is never echoed (it may be a row the user cannot see)."""

    def __init__(self, *, required: str, invalid: str, **kwargs):
        messages = {"required": required, "invalid_choice": invalid, "invalid_pk_value": invalid}
        super().__init__(queryset=None, widget=forms.CheckboxSelectMultiple, error_messages=messages, **kwargs)

    def _check_values(self, value):
        # Ids are row numbers: anything else, or a number no id column holds (SQLite cannot even bind it in
        # the IN list), is not a row of the list.
        if any(row_id(pk) is None for pk in value):
            raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value")
        return super()._check_values(value)


class LabelledModelChoiceField(forms.ModelChoiceField):
    """A model choice whose label is made of a few columns (``label_columns``, ``label_of``), so that
    ModelSelect can list thousands of options without building an object for each."""

    widget = ModelSelect
    label_columns: tuple[str, ...] = ()

    @staticmethod
    def label_of(*columns) -> str:
        raise NotImplementedError

    def label_from_instance(self, obj):
        return self.label_of(*(getattr(obj, c) for c in self.label_columns))

    def option_rows(self) -> list[tuple[str, str]]:
        """(value, label) of each option, in the queryset's order."""
        values = self.queryset.values_list(self.to_field_name or "pk", *self.label_columns)
        return [(str(pk), self.label_of(*columns)) for pk, *columns in values]


@functools.lru_cache(maxsize=8192)
def name_key(name: str) -> str:
    """A unit name's place in Vietnamese alphabetical order (a province's pickers sort 2.500 names a page)."""
    return text.collation_key(name)


# Unit codes: letters, digits and - _ . (they end up in file names, spreadsheets and links).
UNIT_CODE = re.compile(r"[\w.-]+")
CODE_CHARACTERS = _("Mã chỉ gồm chữ, số và các dấu - _ . (không khoảng trắng).")


def required_text(value: str) -> str:
    """A name as stored: composed Unicode, no control characters, single spaces; never only blanks."""
    value = text.nfc(value)
    if not value:
        raise ValidationError(_("Trường này là bắt buộc."))
    return value


def filters_set(form, shown: tuple[str, ...] = ("q", "unit")) -> int:
    """How many of a list's filters beyond those always ``shown`` are set or wrong: on a phone the rest
    are folded away ("Lọc thêm"), and open when this is not 0, so that nothing in force is hidden."""
    if not form.is_bound:
        return 0
    return sum(1 for f in form if f.name not in shown and (f.value() not in (None, "", []) or f.errors))


class UnitChoiceField(LabelledModelChoiceField):
    """A unit in a picker, indented by its depth below the top of the list: each unit followed by the units under
    it, the units of one parent in alphabetical order. (The paths' order is the ids' as text: "/1/10/" before
    "/1/9/".) A base union's cells start at the margin, not three steps in, on a phone's narrow picker."""

    label_columns = ("name", "depth")

    @staticmethod
    def label_of(name, depth):
        return f"{'— ' * depth}{name}"

    def option_rows(self) -> list[tuple[str, str]]:
        units = list(self.queryset.values_list("pk", "name", "depth", "path"))
        names = {pk: name for pk, name, _depth, _path in units}

        def place(unit):  # the names from the top of the list down to the unit (ids break ties)
            return [(name_key(names.get(int(i), "")), int(i)) for i in unit[3].strip("/").split("/")]

        top = min((depth for _pk, _name, depth, _path in units), default=0)
        return [(str(pk), self.label_of(name, depth - top)) for pk, name, depth, _path in sorted(units, key=place)]


class AssignmentFields(forms.Form):
    """A role and the unit it is held on, from the units the manager's scope holds; the kind of unit a
    role needs is checked by the model's own rule (a secretary on a cell, an officer on a base union...)."""

    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)
    unit = UnitChoiceField(label=_("Đơn vị"), queryset=Unit.objects.none())

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        # Only the roles that some offered unit can hold: a base union's officer gives its cells' secretaries
        # theirs, never a province office's.
        kinds = set(units.order_by().values_list("kind", flat=True).distinct())
        self.fields["role"].choices = [(r, label) for r, label in Role.choices if kinds & set(ROLE_UNIT_KINDS[r])]
        hints = [str(self.UNIT_HINTS[r]) for r, _label in self.fields["role"].choices if r in self.UNIT_HINTS]
        self.fields["unit"].help_text = capfirst("; ".join(hints)) + "." if len(hints) > 1 else ""

    # Which unit goes with which role, said under the unit when there is a choice to make.
    UNIT_HINTS = {
        Role.CELL_SECRETARY: _("bí thư chi đoàn: chọn chi đoàn"),
        Role.BASE_OFFICER: _("cán bộ Đoàn cơ sở: đoàn cơ sở"),
        Role.DISTRICT_STAFF: _("cán bộ Huyện đoàn: huyện đoàn"),
    }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") and cleaned.get("unit"):
            try:
                Assignment(role=cleaned["role"], unit=cleaned["unit"]).clean()
            except ValidationError as e:
                self.add_error(None, e)
        return cleaned


class AccountForm(SetPasswordMixin, AssignmentFields):
    """A new account: who holds it, the name they log in with, a first password and their role."""

    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    username = UsernameField(
        label=_("Tên đăng nhập"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Không dấu, không khoảng trắng, ví dụ: bithu.banTrai. Dùng để đăng nhập."),
    )
    password1, password2 = SetPasswordMixin.create_password_fields(
        label1=_("Mật khẩu ban đầu"), label2=_("Nhập lại mật khẩu")
    )
    field_order = ["full_name", "username", "role", "unit", "password1", "password2"]
    USERNAME_TAKEN = _("Tên đăng nhập này đã có người dùng; hãy chọn tên khác.")

    def clean_full_name(self):
        return required_text(self.cleaned_data["full_name"])

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(self.USERNAME_TAKEN)
        return username

    def clean(self):
        cleaned = super().clean()
        self.validate_passwords()
        new_user = User(username=cleaned.get("username") or "", first_name=cleaned.get("full_name") or "")
        self.validate_password_for_user(new_user)
        return cleaned


class UnitForm(forms.Form):
    """A unit's name and code, and (when it is new) its kind or (when it moves) its new parent."""

    name = forms.CharField(label=_("Tên đơn vị"), max_length=200)
    code = forms.CharField(
        label=_("Mã đơn vị"),
        max_length=30,
        help_text=_("Duy nhất trong cả hệ thống, ví dụ LS-CL-QL-BT; dùng trong tệp Excel nhập đoàn viên."),
    )
    kind = forms.ChoiceField(label=_("Cấp"), choices=())
    parent = UnitChoiceField(label=_("Đơn vị cấp trên"), queryset=Unit.objects.none())

    def __init__(self, *args, unit: Unit | None = None, parent: Unit | None = None, parents=None, **kwargs):
        """A new unit under ``parent``; or ``unit`` itself, movable under any of ``parents`` (None: not movable)."""
        self.unit = unit
        if unit is not None:
            kwargs.setdefault("initial", {"name": unit.name, "code": unit.code, "parent": unit.parent_id})
        super().__init__(*args, **kwargs)
        if unit is None:
            del self.fields["parent"]
            kinds = [k for k, allowed in ALLOWED_PARENTS.items() if parent.kind in allowed]
            self.fields["kind"].choices = [(k, Kind(k).label) for k in kinds]
            self.parent = parent
        else:
            del self.fields["kind"]
            if parents is None:
                del self.fields["parent"]
            else:
                self.fields["parent"].queryset = parents.filter(kind__in=ALLOWED_PARENTS[Kind(unit.kind)])

    def clean_name(self):
        return required_text(self.cleaned_data["name"])

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not UNIT_CODE.fullmatch(code):
            raise ValidationError(CODE_CHARACTERS)
        taken = Unit.objects.filter(code__iexact=code)
        if self.unit is not None:
            taken = taken.exclude(pk=self.unit.pk)
        if taken.exists():
            raise ValidationError(_("Mã này đã dùng cho đơn vị khác; hãy chọn mã khác."))
        return code

    def clean(self):
        cleaned = super().clean()
        if self.unit is not None and cleaned.get("parent"):
            try:
                Unit.check_parent(self.unit.kind, cleaned["parent"], self.unit)
            except ValidationError as e:
                self.add_error(None, e)
        return cleaned
