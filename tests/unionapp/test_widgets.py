"""The form renderer writes inputs, selects and text areas in Python (unionapp.forms.WidgetRenderer): what it
writes must be, character for character, what Django's templates write, escaping included."""

import re
from datetime import date

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import override_settings
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from unionapp.forms import WidgetRenderer


class Everything(forms.Form):
    text = forms.CharField(initial='Nguyễn "Văn" <A> & B', widget=forms.TextInput(attrs={"placeholder": "Họ tên"}))
    safe = forms.CharField(initial=mark_safe("<b>đậm</b>"))
    empty = forms.CharField(required=False)
    number = forms.IntegerField(initial=10369, min_value=0, widget=forms.NumberInput(attrs={"step": 1}))
    day = forms.DateField(initial=date(2026, 11, 27), widget=forms.DateInput(attrs={"inputmode": "numeric"}))
    hidden = forms.CharField(initial="x", widget=forms.HiddenInput)
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"disabled": True, "readonly": False}))
    ticked = forms.BooleanField(initial=True)
    unticked = forms.BooleanField(required=False, widget=forms.CheckboxInput(attrs={"data-x": None}))
    choice = forms.ChoiceField(
        choices=[("", "— chọn —"), ("a", gettext_lazy("Đoàn & Hội")), ("Nhóm <1>", [(1, "Một"), (2, "Hai")])],
        initial=2,
    )
    many = forms.MultipleChoiceField(choices=[("1", "a"), ("2", "b"), ("3", "c")], initial=["1", "3"])
    note = forms.CharField(initial="Dòng 1\nDòng <2>", widget=forms.Textarea(attrs={"rows": 3}))
    blank_note = forms.CharField(required=False, widget=forms.Textarea)
    radio = forms.ChoiceField(choices=[("m", "Nam"), ("f", "Nữ")], widget=forms.RadioSelect, initial="f")


@pytest.mark.parametrize(
    "data", [None, {"text": "Lò <Thị>", "number": "abc", "choice": "a", "many": ["2"], "note": ""}]
)
def test_every_widget_is_written_as_djangos_templates_write_it(data):
    ours, django = Everything(data, renderer=WidgetRenderer()), Everything(data, renderer=DjangoTemplates())
    for name in Everything.base_fields:
        assert str(ours[name]) == str(django[name]), name


def without_tokens(html: str) -> str:
    return re.sub(r'name="(csrfmiddlewaretoken|submission)" value="[^"]+"', "", html)


@pytest.mark.parametrize(
    ("user", "page", "query"),
    [
        ("secretary", "member_create", {}),
        ("secretary", "referral_create", {}),
        ("officer", "member_list", {"q": "an", "status": "away", "birth_year": "x"}),
        ("officer", "referral_list", {"stage": "reviewed", "start": "31/02/2026"}),
    ],
)
def test_the_forms_of_the_app_look_the_same_through_either_renderer(client, people, user, page, query):
    client.force_login(getattr(people, user))
    ours = client.get(reverse(page), query).content.decode()
    with override_settings(FORM_RENDERER="django.forms.renderers.DjangoTemplates"):
        django = client.get(reverse(page), query).content.decode()
    assert "<select" in ours and "<input" in ours
    assert without_tokens(ours) == without_tokens(django)
