from django import template
from django.utils.html import format_html

from unionapp import submissions

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_field(context) -> str:
    """The hidden token of a creation form (``unionapp.submissions``)."""
    return format_html(
        '<input type="hidden" name="{}" value="{}">', submissions.FIELD, submissions.token(context.request)
    )
