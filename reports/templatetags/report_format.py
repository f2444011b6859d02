"""Vietnamese number formats for reports: 10.369 and 132,5; "—" where there is nothing to show."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def num(value):
    """A whole number with thousands grouped (10.369), or "—" when missing."""
    if value is None:
        return "—"
    return intcomma(value, use_l10n=True)


@register.filter
def pct(value):
    """A percentage with one decimal (132,5), or "—" when there is no base to compare with."""
    if value is None:
        return "—"
    return floatformat(value, "1g")


@register.filter
def attr_or_dash(obj, name):
    value = getattr(obj, name, None)
    return num(value)
