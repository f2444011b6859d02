"""What waits for the people who open a unit's page or dashboard."""

from datetime import date

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from members.models import MAX_AGE, Member, Status, Transfer, YearRating, born_by_for_age
from referrals.models import Referral, Stage
from unionapp import accounts
from unionapp.models import Kind
from unionapp.scoping import Cap


def review_year(day: date) -> int | None:
    """The year whose review of members (xếp loại đoàn viên) is due on ``day``: in December the year ending,
    from January to March the year just ended; none the rest of the year."""
    if day.month == 12:
        return day.year
    return day.year - 1 if day.month <= 3 else None


BASES_SHOWN = 10  # a district's base unions with candidates waiting, most first


def todo(request, unit, members: list | None = None, unkept: list | None = None) -> list[dict]:
    """What waits for whoever opens this unit's page, each with the page that does it: members moving in to
    accept, candidates the cell meeting or the approvers have to see, members past 30, the year's 1+1. Shown on
    a unit's page and on its dashboard (where base-union officers land); ``members``: a cell's counted members,
    ``unkept``: a base union's cells without a secretary (``accounts.cells_without_secretary_ids``), when the
    caller has them already."""
    today = timezone.localdate()
    can = {
        "can_edit": request.scope.can(Cap.EDIT_MEMBERS, unit),
        "can_log": request.scope.can(Cap.LOG_REFERRALS, unit),
    }
    if unit.kind == Kind.CELL and members is None and (can["can_edit"] or can["can_log"]):
        members = list(Member.objects.filter(cell=unit, status__in=Status.COUNTED))
    items = []
    if can["can_edit"]:
        n = Transfer.objects.filter(unit.subtree_q("to_cell__"), state=Transfer.State.PENDING).count()
        if n:
            text_ = ngettext(
                "%(n)s đoàn viên chuyển sinh hoạt đến đang chờ tiếp nhận.",
                "%(n)s đoàn viên chuyển sinh hoạt đến đang chờ tiếp nhận.",
                n,
            ) % {"n": n}
            items.append({"key": "incoming-transfers", "text": text_, "url": reverse("transfer_list"),
                          "action": _("Chuyển sinh hoạt")})  # fmt: skip
    can_approve = unit.kind == Kind.BASE and request.scope.can(Cap.APPROVE_ADMISSIONS, unit)
    if (unit.kind == Kind.CELL and can["can_log"]) or can_approve:
        stages = dict(
            Referral.objects.filter(unit.subtree_q("cell__"), stage__in=[Stage.TRAINING, Stage.REVIEWED])
            .values_list("stage")
            .annotate(n=Count("pk"))
            .order_by()
        )
        board = reverse("pipeline_board", args=[unit.pk])
        if unit.kind == Kind.CELL and stages.get(Stage.TRAINING):
            n = stages[Stage.TRAINING]
            text_ = ngettext(
                "%(n)s thanh niên đang bồi dưỡng, chờ chi đoàn họp xét.",
                "%(n)s thanh niên đang bồi dưỡng, chờ chi đoàn họp xét.",
                n,
            ) % {"n": n}
            items.append({"key": "awaiting-review", "text": text_, "url": board, "action": _("Tiến độ kết nạp")})
        if can_approve and stages.get(Stage.REVIEWED):
            n = stages[Stage.REVIEWED]
            url = reverse("pipeline_many", args=[unit.pk, "admit"]) if n > 1 else board
            text_ = ngettext("%(n)s hồ sơ chờ chuẩn y", "%(n)s hồ sơ chờ chuẩn y", n) % {"n": n}
            items.append({"key": "awaiting-approval", "text": text_, "url": url, "action": _("Chuẩn y kết nạp")})
    if unit.kind == Kind.BASE and request.scope.can(Cap.MANAGE_UNITS, unit):
        # A base union gives its cells' secretaries their accounts: the open cells nobody can log in to.
        if unkept is None:
            unkept = accounts.cells_without_secretary_ids(unit)
        if unkept:
            n = len(unkept)
            text_ = ngettext(
                "%(n)s chi đoàn chưa có tài khoản bí thư.", "%(n)s chi đoàn chưa có tài khoản bí thư.", n
            ) % {"n": n}
            if n == 1:
                url, action = f"{reverse('user_create')}?unit={unkept[0]}", _("Tạo tài khoản")
            else:  # the cells are marked in the base union's list of its units
                url, action = f"{reverse('unit_detail', args=[unit.pk])}#truc-thuoc", _("Xem các chi đoàn")
            items.append({"key": "cells-without-secretary", "text": text_, "url": url, "action": action})
    if unit.kind == Kind.DISTRICT and request.scope.can(Cap.APPROVE_ADMISSIONS, unit):
        # District staff approve for the base unions below them: where candidates wait, most first.
        waiting = (
            Referral.objects.filter(unit.subtree_q("cell__"), stage=Stage.REVIEWED)
            .values_list("cell__parent_id", "cell__parent__name")
            .annotate(n=Count("pk"))
            .order_by("-n", "cell__parent__name")
        )
        for base_id, name, n in waiting[:BASES_SHOWN]:
            text_ = ngettext("%(unit)s: %(n)s hồ sơ chờ chuẩn y", "%(unit)s: %(n)s hồ sơ chờ chuẩn y", n) % {
                "unit": name,
                "n": n,
            }
            url = (
                reverse("pipeline_many", args=[base_id, "admit"])
                if n > 1
                else reverse("pipeline_board", args=[base_id])
            )
            items.append({"key": "awaiting-approval", "text": text_, "url": url, "action": _("Chuẩn y kết nạp")})
    if members is not None and can["can_edit"]:
        born_by = born_by_for_age(today, MAX_AGE + 1)  # as Member.objects.past_max_age
        n = sum(m.date_of_birth <= born_by for m in members)
        if n:
            text_ = ngettext("%(n)s đoàn viên đã quá 30 tuổi.", "%(n)s đoàn viên đã quá 30 tuổi.", n) % {"n": n}
            items.append({"key": "past-max-age", "text": text_, "url": reverse("cell_matured", args=[unit.pk]),
                          "action": _("Trưởng thành Đoàn")})  # fmt: skip
        review = review_year(today)
        if review:
            # The year-end review: members of the cell by the end of that year who have no rating for it yet.
            due = [m.pk for m in members if m.joined_on is None or m.joined_on <= date(review, 12, 31)]
            n = len(due) - YearRating.objects.filter(member_id__in=due, year=review).count() if due else 0
            if n:
                text_ = ngettext(
                    "%(n)s đoàn viên chưa được xếp loại năm %(y)s.", "%(n)s đoàn viên chưa được xếp loại năm %(y)s.", n
                ) % {"n": n, "y": review}
                url = f"{reverse('cell_rating', args=[unit.pk])}?year={review}"
                # Not "Xếp loại đoàn viên", the name of the cell page's own button to the rating page.
                action = _("Xếp loại năm %(y)s") % {"y": review}
                items.append({"key": "ratings-due", "text": text_, "url": url, "action": action})
    if members is not None and can["can_log"]:
        # The 1+1 of the year, member by member: who has not introduced anyone yet (as the register's filter).
        introducers = set(
            Referral.objects.filter(introducer__cell=unit, introduced_on__year=today.year).values_list(
                "introducer_id", flat=True
            )
        )
        active = [m for m in members if m.status == Status.ACTIVE]
        not_yet = sum(m.pk not in introducers for m in active)
        if not_yet:
            text_ = _(
                "%(n)s/%(total)s đoàn viên đang sinh hoạt chưa giới thiệu thanh niên nào trong năm %(y)s (1+1)."
            ) % {"n": not_yet, "total": len(active), "y": today.year}
            url = f"{reverse('member_list')}?unit={unit.pk}&status=active&one_plus_one=not_yet"
            items.append({"key": "one-plus-one-not-yet", "text": text_, "url": url, "action": _("Xem danh sách")})
    return items
