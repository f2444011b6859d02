"""The next steps of a referral as buttons (its page and every card of a board).

A base union's board draws a hundred cards or more; written through an include per card, the buttons took
40 of the board's 100 ms. Here they are one tag: the same links, built in Python, each step's address
reversed once (reversing takes 35 µs; a board asked for 300)."""

import functools
from urllib.parse import quote

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from referrals.models import Stage

register = template.Library()

# (the stages it is offered at, the step, who may take it: "move" or "approve", its label, its look)
STEPS = (
    ((Stage.INTRODUCED,), "training", "move", _("Vào lớp bồi dưỡng"), "btn-outline-primary"),
    ((Stage.TRAINING,), "review", "move", _("Chi đoàn họp xét"), "btn-outline-primary"),
    ((Stage.REVIEWED,), "admit", "approve", _("Chuẩn y kết nạp"), "btn-success"),
    ((Stage.REVIEWED,), "refuse", "approve", _("Không kết nạp"), "btn-outline-danger"),
    (Stage.OPEN, "withdraw", "move", _("Rút hồ sơ"), "btn-link text-secondary"),
)

# Stands for the referral's id in a step's address reversed once.
_ID = "987654321987"


@functools.lru_cache(maxsize=32)
def _step_url(prefix: str, step: str) -> str:  # the prefix: reverse() depends on it
    return reverse("referral_step", args=[int(_ID), step])


@functools.lru_cache(maxsize=8)
def _labels(language: str) -> dict[str, str]:
    """The steps' labels in ``language``, translated once (a lazy label is translated on each use)."""
    return {step: str(label) for _stages, step, _who, label, _look in STEPS}


@register.simple_tag
def referral_steps(referral, *, can_move: bool, can_approve: bool, next_url: str = ""):
    """Links to the steps ``referral`` can take now that the user may take, back to ``next_url`` after."""
    may = {"move": can_move, "approve": can_approve}
    back = f"?next={quote(next_url, safe='/')}" if next_url else ""
    prefix = get_script_prefix()
    labels = _labels(get_language())
    return format_html_join(
        "\n",
        '<a class="btn btn-sm {}" href="{}">{}</a>',
        (
            (look, _step_url(prefix, step).replace(_ID, str(referral.pk)) + back, labels[step])
            for stages, step, who, _label, look in STEPS
            if referral.stage in stages and may[who]
        ),
    )
