from html import escape

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _


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
        values = field.queryset.values_list(field.to_field_name or "pk", *field.label_columns)
        rows += [(str(pk), field.label_of(*columns)) for pk, *columns in values]
        options = "".join(
            f'<option value="{escape(v)}"{" selected" if v in chosen else ""}>{escape(label)}</option>'
            for v, label in rows
        )
        select = f'<select name="{escape(name)}"{flatatt(self.build_attrs(self.attrs, attrs))}>{options}</select>'
        return mark_safe(select)  # noqa: S308 - names and labels escaped above


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
