"""Vietnamese number formats for reports: 10.369 and 132,5; "—" where there is nothing to show.

A report page formats a few hundred numbers; Django's ``intcomma`` and ``floatformat`` cost ~25 µs each
(a fifth of the page's rendering), so whole numbers and percentages are formatted here, with the active
language's separators and the same rounding (half up), and anything else is left to Django."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat
from django.utils.formats import get_format

register = template.Library()
TENTH = Decimal("0.1")


def _separators(text: str) -> str:
    """Python's "1,234.5" in the active language's separators."""
    thousands, decimal = get_format("THOUSAND_SEPARATOR"), get_format("DECIMAL_SEPARATOR")
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


@register.filter
def num(value):
    """A whole number with thousands grouped (10.369), or "—" when missing."""
    if value is None:
        return "—"
    if type(value) is int:
        return _separators(f"{value:,}")
    return intcomma(value, use_l10n=True)


@register.filter
def pct(value):
    """A percentage with one decimal (132,5), or "—" when there is no base to compare with."""
    if value is None:
        return "—"
    if type(value) in (int, float) and value == value and abs(value) != float("inf"):
        return _separators(f"{Decimal(repr(value)).quantize(TENTH, ROUND_HALF_UP):,.1f}")
    return floatformat(value, "1g")


@register.filter
def attr_or_dash(obj, name):
    value = getattr(obj, name, None)
    return num(value)
