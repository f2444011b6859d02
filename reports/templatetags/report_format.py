"""Vietnamese number formats for reports: 10.369 and 132,5; "—" where there is nothing to show; dates in long
lists as 05/09/2026.

A report page formats a few hundred numbers; Django's ``intcomma`` and ``floatformat`` cost ~25 µs each
(a fifth of the page's rendering), so whole numbers and percentages are formatted here, with the active
language's separators and the same rounding (half up), and anything else is left to Django."""

from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat
from django.utils.formats import get_format
from django.utils.safestring import mark_safe

register = template.Library()
TENTH = Decimal("0.1")


def _separators(text: str, separators: tuple[str, str] | None = None) -> str:
    """Python's "1,234.5" in the active language's separators (or in ``separators``)."""
    thousands, decimal = separators or (get_format("THOUSAND_SEPARATOR"), get_format("DECIMAL_SEPARATOR"))
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


@register.filter
def num(value, separators=None):
    """A whole number with thousands grouped (10.369), or "—" when missing."""
    if value is None:
        return "—"
    if type(value) is int:
        return _separators(f"{value:,}", separators)
    return intcomma(value, use_l10n=True)


@register.filter
def pct(value, separators=None):
    """A percentage with one decimal (132,5), or "—" when there is no base to compare with."""
    if value is None:
        return "—"
    if type(value) in (int, float) and value == value and abs(value) != float("inf"):
        return _separators(f"{Decimal(repr(value)).quantize(TENTH, ROUND_HALF_UP):,.1f}", separators)
    return floatformat(value, "1g")


# A report row's figures, in the columns' order, with their format.
REPORT_COLUMNS = (
    ("members_start", num), ("members_now", num), ("introducers", num), ("one_plus_one_rate", pct),
    ("introduced", num), ("in_training", num), ("union_target", num), ("admitted_union", num), ("union_pct", pct),
    ("federation_target", num), ("admitted_federation", num), ("federation_pct", pct),
    ("party_introduced", num), ("party_admitted", num),
)  # fmt: skip


@register.filter
def figure_cells(figures):
    """A report row's number cells (``<td class="num">``), formatted in one go: a cell's report has a
    row per member, and a filter per cell cost a quarter of the page."""
    separators = (get_format("THOUSAND_SEPARATOR"), get_format("DECIMAL_SEPARATOR"))
    cells = (escape(fmt(getattr(figures, name), separators)) for name, fmt in REPORT_COLUMNS)
    return mark_safe("".join(f'<td class="num">{cell}</td>' for cell in cells))  # noqa: S308 - escaped above


@register.filter(expects_localtime=True)
def dmy(value):
    """A date as 05/09/2026 (Django's ``date:"d/m/Y"``, which costs ~50 µs a call, for long lists)."""
    if not value:
        return ""
    try:
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    except AttributeError:
        return ""


@register.filter
def attr_or_dash(obj, name):
    value = getattr(obj, name, None)
    return num(value)
