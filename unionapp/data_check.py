"""Records entered before a rule existed, found again (``manage.py check_data``).

Each rule lives where it is enforced, in the forms and services; this reads every member and every open
referral through them as if someone opened the record's edit page and saved it unchanged: the member form,
the referral form, the order of a member's history, the checks of a cell's review. Nothing is changed. Each
finding names the record, the page where it is corrected, and what that page would say.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from members.forms import MemberForm
from members.models import Member, StatusEvent
from referrals import services as referral_services
from referrals.forms import ReferralForm
from referrals.models import Stage
from unionapp.models import Unit
from unionapp.scoping import Scope


@dataclass
class Finding:
    label: str
    url: str
    problems: list[str]


def reading_scope() -> Scope:
    """Everything, as a superuser sees it; no account is needed or written."""
    return Scope(User(is_superuser=True, is_active=True))


def as_saved_unchanged(form_class, instance, scope, *, confirmed: str, **kwargs):
    """The edit form of ``instance``, bound to what it shows: the record saved unchanged, its ``confirmed``
    box ticked (what it asked to confirm was confirmed when the record was saved). Its own cell is a valid
    choice even if the cell has closed since (which cell is right is not what this checks)."""
    shown = form_class(instance=instance, scope=scope, **kwargs)
    data = {name: shown[name].value() for name in shown.fields}
    data = {k: v for k, v in data.items() if v is not None} | {confirmed: "on"}
    form = form_class(data, instance=instance, scope=scope, **kwargs)
    form.fields["cell"].queryset = Unit.objects.filter(pk=instance.cell_id)
    return form


def problems_of(form) -> list[str]:
    found = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        found += [f"{label}: {e}" if label else str(e) for e in errors]
    return found


def history_problems(member: Member) -> list[str]:
    """A history read in date order: no event before joining, none dated before the one recorded before it."""
    found, previous = [], member.joined_on
    for event in member.status_events.all():  # in the order recorded
        if previous and event.date < previous:
            found.append(
                _("Biến động ngày %(day)s (%(status)s) ghi trước ngày vào Đoàn hoặc trước biến động ghi trước nó (%(previous)s).")
                % {"day": f"{event.date:%d/%m/%Y}", "status": event.get_to_status_display(), "previous": f"{previous:%d/%m/%Y}"}
            )  # fmt: skip
        previous = max(previous, event.date) if previous else event.date
    return found


def member_findings(members, checked: Callable[[], None] = lambda: None) -> Iterator[Finding]:
    """``checked()`` is called after each member (a progress count)."""
    scope = reading_scope()
    events = Prefetch("status_events", queryset=StatusEvent.objects.order_by("pk"))
    for member in members.select_related("cell").prefetch_related(events).order_by("pk").iterator(chunk_size=500):
        checked()
        form = as_saved_unchanged(MemberForm, member, scope, confirmed="confirm_duplicate")
        found = problems_of(form) + history_problems(member)
        if found:
            yield Finding(f"{member.full_name} — {member.cell.name}", member.get_absolute_url(), found)


def referral_findings(referrals, checked: Callable[[], None] = lambda: None) -> Iterator[Finding]:
    scope = reading_scope()
    for referral in (
        referrals.filter(stage__in=Stage.OPEN)
        .select_related("cell", "introducer")
        .order_by("pk")
        .iterator(chunk_size=500)
    ):
        checked()
        by = ReferralForm.BY_MEMBER if referral.introducer_id else ReferralForm.BY_COLLECTIVE
        form = as_saved_unchanged(
            ReferralForm, referral, scope, confirmed="confirm_warnings", initial={"introduced_by": by}
        )
        found = problems_of(form)
        if referral.stage == Stage.REVIEWED and referral.review_date:
            try:
                referral_services.check_review(referral, referral.review_date)
            except referral_services.ReferralError as e:
                found.append(str(e))
        if found:
            yield Finding(f"{referral.full_name} — {referral.cell.name}", referral.get_absolute_url(), found)
