"""Plain factory functions: sensible defaults, override anything with keyword arguments."""

import itertools
from datetime import date

from django.contrib.auth.models import User

from members.models import Gender, Member
from unionapp.models import Assignment, Kind, Unit

_seq = itertools.count(1)


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
    return member
