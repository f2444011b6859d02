"""One computation of the "1+1" figures, for the report page, the dashboard and the Excel file.

Every figure is counted per cell in a handful of grouped queries (their number does not depend
on the size of the tree), then folded into the rows of the report: the units directly under the
chosen one, or, for a cell, its members.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date
from operator import attrgetter
from typing import NamedTuple

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from members.models import Member, Rating, YearRating
from referrals.models import Joins, Referral, Stage
from referrals.stats import counted_on, introducers_by, members_at, one_plus_one_by_cell
from reports import tally
from reports.models import Target
from reports.periods import Period
from unionapp.models import Kind, Unit, in_list_order

COUNTS = (
    "members_start",
    "members_now",
    "introducers",
    "introduced",
    "in_training",
    "admitted_union",
    "admitted_federation",
    "party_introduced",
    "party_admitted",
)


ADDED = (*COUNTS, "open_referrals")
_added_of = attrgetter(*ADDED)


def pct(part: int, whole: int | None) -> float | None:
    """A percentage, or None ("—") when there is nothing to divide by."""
    return 100 * part / whole if whole else None


@dataclass
class Figures:
    members_start: int = 0
    members_now: int = 0
    introducers: int = 0
    introduced: int = 0
    in_training: int = 0
    admitted_union: int = 0
    admitted_federation: int = 0
    party_introduced: int = 0
    party_admitted: int = 0
    open_referrals: int = 0  # the pipeline now: introduced, in training or reviewed (the dashboard's figure)
    union_target: int | None = None
    federation_target: int | None = None
    party_target: int | None = None

    @property
    def one_plus_one_rate(self) -> float | None:
        return pct(self.introducers, self.members_start)

    @property
    def union_pct(self) -> float | None:
        return pct(self.admitted_union, self.union_target)

    @property
    def federation_pct(self) -> float | None:
        return pct(self.admitted_federation, self.federation_target)

    @classmethod
    def summed(cls, many: Iterable["Figures"]) -> "Figures":
        """The sum of many figures (thousands of cells: column sums, not one add per cell)."""
        columns = zip(*map(_added_of, many), strict=True)
        return cls(**dict(zip(ADDED, map(sum, columns), strict=False)))

    def as_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data.update(
            one_plus_one_rate=self.one_plus_one_rate, union_pct=self.union_pct, federation_pct=self.federation_pct
        )
        return data


class UnitRow(NamedTuple):
    """A unit of the subtree as read for a report (see build_report)."""

    pk: int
    name: str
    code: str
    kind: str
    path: str
    depth: int
    parent_id: int | None
    is_active: bool

    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/")]


@dataclass
class Row:
    label: str
    figures: Figures
    unit: Unit | None = None
    member_id: int | None = None


@dataclass
class Report:
    unit: Unit
    period: Period
    rows: list[Row]
    total: Figures
    # Read only with build_report(..., per_cell=True): every cell's figures, every unit of the subtree by id.
    per_cell: dict[int, Figures] = field(default_factory=dict)
    units: dict[int, "UnitRow"] = field(default_factory=dict)

    def cells(self) -> list["UnitRow"]:
        return sorted((u for u in self.units.values() if u.kind == Kind.CELL), key=lambda u: u.path)

    def ancestor_of_kind(self, unit: "UnitRow", kind: str) -> "UnitRow | None":
        for pk in unit.ancestor_ids():
            u = self.units.get(pk)
            if u is not None and u.kind == kind:
                return u
        return None


def _sum_targets(values):
    present = [v for v in values if v is not None]
    return sum(present) if present else None


# Past this many cells, reading the summary rows of every cell and keeping the subtree's in Python is
# cheaper than asking the database to look each cell up (see docs/performance.md).
WHOLE_TABLE_CELLS = 300


def figures_of(summed) -> Figures:
    """Figures from one row of ``tally.sums`` (the values after its key)."""
    return Figures(**dict(zip(tally.SUMMED, summed, strict=True)))


def per_cell_counts(period: Period, cell_ids: set[int]) -> dict[int, Figures]:
    """Figures of every cell of the subtree (``cell_ids``), keyed by cell id, from the summary rows
    (reports/tally.py): one grouped query whose size does not depend on the tree's. A small subtree
    is filtered in the database; a large one is read for all cells and filtered here. Introducers
    for a free date range (not a year, half or quarter) are counted from the register."""
    in_tree = None if len(cell_ids) > WHOLE_TABLE_CELLS else sorted(cell_ids)
    cells: dict[int, Figures] = {}
    for cell_id, *summed in tally.sums(period.start, period.end, period.as_of, in_tree):
        if cell_id in cell_ids:
            cells[cell_id] = figures_of(summed)
    if tally.stored_period(period.start, period.end) is None:
        members = Q() if in_tree is None else Q(cell_id__in=in_tree)
        for cell_id, n in introducers_by(members, period.start, period.end, "cell_id").items():
            if cell_id in cell_ids:
                cells.setdefault(cell_id, Figures()).introducers = n
    return cells


def live_counts(period: Period, cell_ids: set[int]) -> dict[int, Figures]:
    """The same figures counted from the register itself: the definition the summary rows are
    tested against (tests/reports/test_tally.py). Eight grouped queries; slow at province scale."""
    start, end = period.start, period.end
    cells: dict[int, Figures] = defaultdict(Figures)
    in_tree, admitted_in_tree = Q(cell_id__in=cell_ids), Q(admitted_cell_id__in=cell_ids)

    # Members at the start and now, in one pass over the covering index.
    counted = (
        Member.objects.filter(in_tree)
        .filter(counted_on(start) | counted_on(period.as_of))
        .values_list("cell_id")
        .annotate(s=Count("pk", filter=counted_on(start)), n=Count("pk", filter=counted_on(period.as_of)))
        .order_by()
    )
    for cell_id, at_start, now in counted:
        cells[cell_id].members_start = at_start
        cells[cell_id].members_now = now
    for cell_id, n in introducers_by(in_tree, start, end, "cell_id").items():
        cells[cell_id].introducers = n
    referrals = Referral.objects.filter(in_tree)
    for cell_id, n in _grouped(referrals.filter(introduced_on__gte=start, introduced_on__lte=end), "cell_id"):
        cells[cell_id].introduced = n
    for cell_id, n in _grouped(referrals.filter(stage__in=(Stage.TRAINING, Stage.REVIEWED)), "cell_id"):
        cells[cell_id].in_training = n
    # An admission counts in the period of its decision, in the cell where the member was admitted.
    admitted = (
        Referral.objects.filter(
            admitted_in_tree, stage=Stage.ADMITTED, decision_date__gte=start, decision_date__lte=end
        )
        .values("admitted_cell_id")
        .annotate(u=Count("pk", filter=Q(joins=Joins.UNION)), f=Count("pk", filter=Q(joins=Joins.FEDERATION)))
        .order_by()
    )
    for row in admitted:
        cells[row["admitted_cell_id"]].admitted_union = row["u"]
        cells[row["admitted_cell_id"]].admitted_federation = row["f"]
    party = (
        Member.objects.filter(in_tree)
        .filter(Q(party_introduced_on__range=(start, end)) | Q(party_admitted_on__range=(start, end)))
        .values("cell_id")
        .annotate(
            i=Count("pk", filter=Q(party_introduced_on__range=(start, end))),
            a=Count("pk", filter=Q(party_admitted_on__range=(start, end))),
        )
        .order_by()
    )
    for row in party:
        cells[row["cell_id"]].party_introduced = row["i"]
        cells[row["cell_id"]].party_admitted = row["a"]
    return {cell_id: figures for cell_id, figures in cells.items() if cell_id in cell_ids}


def _grouped(qs, key):
    return qs.values_list(key).annotate(n=Count("pk")).order_by()


def _own_targets(q: Q, years, paths: dict[int, str] | None = None) -> dict[str, list]:
    """(union, federation, party) set on the units selected by ``q`` (on Target), summed over ``years``, by path.
    With ``paths`` (the units' paths by id, when the caller has them) no join to the tree."""
    own: dict[str, list] = {}
    rows = Target.objects.filter(q, year__in=list(years))
    if paths is None:
        rows = rows.values_list("unit__path", "union", "federation", "party")
    else:
        rows = ((paths[pk], *values) for pk, *values in rows.values_list("unit_id", "union", "federation", "party"))
    for path, *values in rows:
        current = own.get(path)
        own[path] = values if current is None else [_sum_targets(ab) for ab in zip(current, values, strict=True)]
    return own


def target_of(own: dict[str, list], path: str) -> tuple:
    """The target of the unit at ``path``: per field its own, or when it has none, the sum of the
    nearest targets set below it (its children's, theirs when a child has none, and so on); None when
    nothing below has one either."""
    mine = own.get(path, [None, None, None])
    if all(v is not None for v in mine):
        return tuple(mine)
    below = sorted(p for p in own if p.startswith(path) and p != path)
    result = []
    for i, value in enumerate(mine):
        if value is None:
            found, covered = [], None
            for p in below:  # in path order: a unit's subtree follows it
                if covered is not None and p.startswith(covered):
                    continue
                if own[p][i] is not None:
                    found.append(own[p][i])
                    covered = p
            value = sum(found) if found else None
        result.append(value)
    return tuple(result)


def targets_of(unit: Unit, children: list[Unit], years) -> dict[str, tuple]:
    """Targets of ``unit`` and its ``children``, by path. One query; a second, over the subtree, only
    when one of them lacks a target of its own (it is then the sum of those set below it)."""
    wanted = [unit, *children]
    own = _own_targets(Q(unit__in=[u.pk for u in wanted]), years, paths={u.pk: u.path for u in wanted})
    if not all(all(v is not None for v in own.get(u.path, [None])) for u in wanted):
        own = _own_targets(unit.subtree_q("unit__"), years)
    return {u.path: target_of(own, u.path) for u in wanted}


def child_counts(unit: Unit, period: Period) -> dict[int, Figures]:
    """Figures of each unit directly under ``unit``, by id, from the summary rows grouped in the
    database (one query); for a cell, its own. Introducers for a free date range (not a year, half or
    quarter) are counted from the register (a second query)."""
    if unit.kind == Kind.CELL:
        return per_cell_counts(period, {unit.pk})
    children = {
        int(key): figures_of(summed) for key, *summed in tally.sums(period.start, period.end, period.as_of, under=unit)
    }
    if tally.stored_period(period.start, period.end) is None:
        for path, n in introducers_by(unit.subtree_q("cell__"), period.start, period.end, "cell__path").items():
            children.setdefault(unit.child_id_on_path(path), Figures()).introducers += n
    return children


def build_report(unit: Unit, period: Period, *, per_cell: bool = False) -> Report:
    """The report of ``unit`` for ``period``: one row per unit directly under it (for a cell: per
    member), and the total, which equals the unit's own figures. With ``per_cell``, also every cell's
    figures and every unit of the subtree (the Excel file's per-cell sheet): two more queries."""
    children = in_list_order(Unit.objects.filter(parent=unit))
    counted = child_counts(unit, period)
    total = Figures.summed(counted.values())
    targets = targets_of(unit, children, period.years)

    def with_targets(fig: Figures, path: str) -> Figures:
        fig.union_target, fig.federation_target, fig.party_target = targets[path]
        return fig

    with_targets(total, unit.path)
    if unit.kind == Kind.CELL:
        rows = member_rows(unit, period, total)
    else:
        rows = [Row(label=c.name, figures=with_targets(counted.get(c.pk, Figures()), c.path), unit=c) for c in children]
    report = Report(unit=unit, period=period, rows=rows, total=total)
    if per_cell:
        # Plain rows, not model instances: a province has thousands of units.
        subtree = Unit.objects.filter(unit.subtree_q()).values_list(*UnitRow._fields)
        report.units = {values[0]: UnitRow(*values) for values in subtree}
        report.per_cell = per_cell_counts(period, {u.pk for u in report.units.values() if u.kind == Kind.CELL})
    return report


def member_rows(cell: Unit, period: Period, total: Figures) -> list[Row]:
    """A cell's report: one row per member (what they introduced, their own Party milestones),
    and a last row for what no member of the cell accounts for (collectives, other cells' referrers)."""
    start, end = period.start, period.end
    by_member: dict[int, Figures] = defaultdict(Figures)
    for pk, value in one_plus_one_by_cell(Q(cell_id=cell.pk), start, end, key="pk").items():
        by_member[pk].members_start = value.members
        by_member[pk].introducers = value.introducers
    for pk in members_at(period.as_of).filter(cell=cell).values_list("pk", flat=True):
        by_member[pk].members_now = 1
    mine = Referral.objects.filter(cell=cell, introducer__isnull=False)
    for pk, n in _grouped(mine.filter(introduced_on__gte=start, introduced_on__lte=end), "introducer"):
        by_member[pk].introduced = n
    for pk, n in _grouped(mine.filter(stage__in=(Stage.TRAINING, Stage.REVIEWED)), "introducer"):
        by_member[pk].in_training = n
    admitted = (
        Referral.objects.filter(
            admitted_cell=cell,
            introducer__cell=cell,
            stage=Stage.ADMITTED,
            decision_date__gte=start,
            decision_date__lte=end,
        )
        .values("introducer")
        .annotate(u=Count("pk", filter=Q(joins=Joins.UNION)), f=Count("pk", filter=Q(joins=Joins.FEDERATION)))
        .order_by()
    )
    for row in admitted:
        by_member[row["introducer"]].admitted_union = row["u"]
        by_member[row["introducer"]].admitted_federation = row["f"]
    members = Member.objects.filter(Q(pk__in=list(by_member)) | Q(cell=cell, party_introduced_on__range=(start, end))
                                    | Q(cell=cell, party_admitted_on__range=(start, end)))  # fmt: skip
    rows = []
    fields = ("pk", "full_name", "party_introduced_on", "party_admitted_on")
    for pk, full_name, introduced_on, admitted_on in members.order_by("sort_key", "pk").values_list(*fields):
        fig = by_member[pk]
        fig.party_introduced = int(bool(introduced_on and start <= introduced_on <= end))
        fig.party_admitted = int(bool(admitted_on and start <= admitted_on <= end))
        rows.append(Row(label=full_name, figures=fig, member_id=pk))
    summed = Figures.summed(r.figures for r in rows)
    rest = Figures()
    for name in COUNTS:
        setattr(rest, name, getattr(total, name) - getattr(summed, name))
    if any(getattr(rest, name) for name in COUNTS):
        rows.append(Row(label=_("Tập thể giới thiệu và trường hợp khác"), figures=rest))
    return rows


def monthly_admissions(unit: Unit, year: int) -> dict[int, list[int]]:
    """Admissions (union and federation) per month for ``year`` and the year before: {year: [12 counts]},
    in the cells under ``unit``, from the summary rows."""
    series = {year - 1: [0] * 12, year: [0] * 12}
    for month, n in tally.monthly(date(year - 1, 1, 1), date(year, 12, 1), unit):
        series[month.year][month.month - 1] += n or 0
    return series


@dataclass
class RatingRow:
    """How many members of one unit were rated at each of the four levels in a year (the year-end review)."""

    label: str
    unit: Unit | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def rated(self) -> int:
        return sum(self.counts.values())

    def levels(self) -> list[tuple[int, float | None]]:
        """(count, share of the rated in %) per level, best first."""
        rated = self.rated
        return [(n, 100 * n / rated if rated else None) for n in (self.counts.get(r, 0) for r in Rating.values)]


def ratings_report(unit: Unit, year: int) -> tuple[list[RatingRow], RatingRow]:
    """The year's ratings of the members under ``unit``, one row per unit directly under it (for a cell: its
    own), and the total: one grouped query, by the cell that rated them, folded into the rows."""
    children = in_list_order(Unit.objects.filter(parent=unit)) if unit.kind != Kind.CELL else [unit]
    rows = {u.pk: RatingRow(label=u.name, unit=u) for u in children}
    total = RatingRow(label=_("TỔNG CỘNG"))
    by_cell = (
        YearRating.objects.filter(unit.subtree_q("cell__"), year=year)
        .values_list("cell__path", "rating")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for path, rating, n in by_cell:
        key = unit.pk if unit.kind == Kind.CELL else unit.child_id_on_path(path)
        for row in (rows.get(key), total):
            if row is not None:
                row.counts[rating] = row.counts.get(rating, 0) + n
    return list(rows.values()), total
