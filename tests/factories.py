"""Plain factory functions: sensible defaults, override anything with keyword arguments."""

import itertools
import re
from datetime import date

from django.contrib.auth.models import User

from members.models import Gender, Member
from reports import tally
from unionapp.models import Assignment, Kind, Unit

_seq = itertools.count(1)
_SUBMISSION = re.compile(r'name="submission" value="([0-9a-f]{32})"')


def form_token(response) -> str:
    """The save-once token of the form on a page (``unionapp.submissions``), as a browser would post it."""
    return _SUBMISSION.search(response.content.decode()).group(1)


def make_unit(kind=Kind.CELL, parent=None, **kwargs) -> Unit:
    n = next(_seq)
    kwargs.setdefault("name", f"{Kind(kind).label} {n}")
    kwargs.setdefault("code", f"U{n}")
    return Unit.add(kind=kind, parent=parent, **kwargs)


def make_user(username=None, role=None, unit=None, **kwargs) -> User:
    user = User.objects.create_user(username or f"user{next(_seq)}", password="doan1931-test", **kwargs)
    if role:
        Assignment.objects.create(user=user, unit=unit, role=role)
    return user


def make_member(cell, **kwargs) -> Member:
    n = next(_seq)
    kwargs.setdefault("full_name", f"Nguyễn Văn Thử {n}")
    kwargs.setdefault("date_of_birth", date(2000, 1, 1))
    kwargs.setdefault("gender", Gender.MALE)
    member = Member(cell=cell, **kwargs)
    member.refresh_derived()
    member.save()
    # Stored directly, like a bulk load: the reports' summary rows follow as after one.
    tally.refresh([cell.pk])
    return member


def make_referral(cell, by, introducer=None, **kwargs):
    from referrals import services
    from referrals.models import Place, Referral

    n = next(_seq)
    kwargs.setdefault("full_name", f"Trần Thị Mới {n}")
    kwargs.setdefault("date_of_birth", date(2007, 6, 1))
    kwargs.setdefault("gender", Gender.FEMALE)
    kwargs.setdefault("place_kind", Place.SCHOOL)
    kwargs.setdefault("introduced_on", date(2026, 3, 1))
    if introducer is None and "collective_name" not in kwargs:
        kwargs.update(collective_kind="federation_branch", collective_name="Chi hội thôn")
    return services.log_referral(referral=Referral(cell=cell, introducer=introducer, **kwargs), by=by)


def reviewed_referral(cell, by, **kwargs):
    from referrals import services

    r = make_referral(cell, by, **kwargs)
    start = max(r.introduced_on, date(2026, 4, 1))
    r = services.start_training(referral=r, by=by, course_name="Lớp cảm tình Đoàn", start=start, end=None)
    review = max(start, date(2026, 5, 1))
    return services.record_review(referral=r, by=by, review_date=review, votes_for=10, votes_present=12)
