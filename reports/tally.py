"""Summary rows per cell (``CellTally``): how the reports stay fast at province scale.

Every figure of a report is a count of dated events in a cell: members counted from a day and no longer
counted from another, referrals introduced, admissions decided, Party milestones. Each event adds one to
four rows of its cell: the day, the month, the year and all time. A report for any period then adds up a
handful of rows per cell instead of reading the register:

- a count within [a, b] is (events up to b) - (events up to a - 1);
- events up to a day d are (all time) - (years after d's year) - (d's year) + (the part of d's year up
  to d), and that part is taken from whole months and single days, or as the year minus what follows,
  whichever reads fewer rows (``prefix``).

So "members on 01/01/2026" reads three rows per cell (all time, 2026, the day 01/01), and "admitted
in 2026" one. Introducers are distinct members, which do not add up across days; they are stored per
year, first half and quarter (the report's periods) and counted from the register for any other range.

The rows are recomputed from the register for the cells a write touches, in the write's transaction
(``refresh``), by the same code that rebuilds them all (``rebuild``) and that checks them (``check``):
there is one definition of each figure, and a test compares it with the figures computed directly.
"""

import calendar
import functools
import itertools
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from members.models import Member, Status
from referrals.models import Joins, Referral, Stage
from reports.models import COUNTED, CellTally, Grain, UnitMonth
from unionapp import bulk
from unionapp.models import Unit, id_on_path, path_range

EVER = date(1, 1, 1)
COUNTS = tuple(COUNTED)
INDEX = {name: i for i, name in enumerate(COUNTS)}


# --- computing the rows from the register -----------------------------------------------------------


def spans_of(day: date) -> tuple:
    """The additive rows an event on ``day`` counts in."""
    return (
        (Grain.ALL, EVER),
        (Grain.YEAR, date(day.year, 1, 1)),
        (Grain.MONTH, date(day.year, day.month, 1)),
        (Grain.DAY, day),
    )


def period_spans_of(day: date) -> list:
    """The report periods (year, first half, quarter) that contain ``day``, as (grain, first day)."""
    spans = [(Grain.YEAR, date(day.year, 1, 1)), (Grain.QUARTER, date(day.year, 3 * ((day.month - 1) // 3) + 1, 1))]
    if day.month <= 6:
        spans.append((Grain.HALF, date(day.year, 1, 1)))
    return spans


def counted_span(joined_on, created_at, left_on, status) -> tuple[date, date | None] | None:
    """(first day counted, first day no longer counted or None), or None when never counted:
    the same rule as ``referrals.stats.counted_on``."""
    first = joined_on or timezone.localdate(created_at)
    if left_on is None:
        return (first, None) if status in Status.COUNTED else None
    return (first, left_on) if left_on > first else None


def compute(cell_ids: Iterable[int] | None = None) -> dict[tuple, list[int]]:
    """The rows of ``cell_ids`` (all cells when None), from the register: {(cell, grain, day): counts}."""
    rows: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(COUNTS))
    cells = None if cell_ids is None else list(cell_ids)

    def only(field):
        return Q() if cells is None else Q(**{f"{field}__in": cells})

    def add(cell, day, name, spans=spans_of):
        i = INDEX[name]
        for grain, first in spans(day):
            rows[(cell, grain, first)][i] += 1

    counted = {}
    members = Member.objects.filter(only("cell_id")).values_list(
        "pk", "cell_id", "joined_on", "created_at", "left_on", "status", "party_introduced_on", "party_admitted_on"
    )
    for pk, cell, joined_on, created_at, left_on, status, party_introduced, party_admitted in members.iterator(
        chunk_size=5000
    ):
        span = counted_span(joined_on, created_at, left_on, status)
        if span:
            counted[pk] = (cell, *span)
            add(cell, span[0], "members_in")
            if span[1]:
                add(cell, span[1], "members_out")
        if party_introduced:
            add(cell, party_introduced, "party_introduced")
        if party_admitted:
            add(cell, party_admitted, "party_admitted")

    for cell, introduced_on, stage in Referral.objects.filter(only("cell_id")).values_list(
        "cell_id", "introduced_on", "stage"
    ):
        add(cell, introduced_on, "introduced")
        if stage in Stage.OPEN:
            rows[(cell, Grain.ALL, EVER)][INDEX["open_referrals"]] += 1
            if stage != Stage.INTRODUCED:
                rows[(cell, Grain.ALL, EVER)][INDEX["in_training"]] += 1

    admitted = Referral.objects.filter(only("admitted_cell_id"), stage=Stage.ADMITTED, decision_date__isnull=False)
    for cell, decided, joins in admitted.values_list("admitted_cell_id", "decision_date", "joins"):
        add(cell, decided, "admitted_union" if joins == Joins.UNION else "admitted_federation")

    # Introducers: members counted at the start of a period who introduced someone during it.
    periods = defaultdict(set)
    introduced = Referral.objects.filter(only("introducer__cell_id"), introducer__isnull=False)
    for member_id, introduced_on in introduced.values_list("introducer_id", "introduced_on"):
        periods[member_id].update(period_spans_of(introduced_on))
    for member_id, spans in periods.items():
        if member_id not in counted:
            continue
        cell, first, out = counted[member_id]
        for grain, start in spans:
            if first <= start and (out is None or out > start):
                rows[(cell, grain, start)][INDEX["introducers"]] += 1
    return {key: counts for key, counts in rows.items() if any(counts)}


def stored(cell_ids: Iterable[int] | None = None) -> dict[tuple, tuple[int, list[int]]]:
    rows = CellTally.objects.all() if cell_ids is None else CellTally.objects.filter(cell_id__in=list(cell_ids))
    return {
        (cell, grain, day): (pk, list(counts))
        for pk, cell, grain, day, *counts in rows.values_list("pk", "cell_id", "grain", "day", *COUNTS).iterator(
            chunk_size=5000
        )
    }


def refresh(cell_ids: Iterable[int]) -> None:
    """Recompute the rows of the cells a write touched, inside the write's transaction. The cells'
    unit rows are locked first (in id order), so two writes to one cell are applied one after the
    other, each seeing the other's committed rows."""
    ids = sorted({pk for pk in cell_ids if pk})
    if not ids:
        return
    with transaction.atomic():
        paths = dict(Unit.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", "path"))
        wanted = compute(ids)
        current = stored(ids)
        _add_to_months(paths, current, wanted)
        gone = [pk for key, (pk, _counts) in current.items() if key not in wanted]
        changed = [
            (*counts, current[key][0]) for key, counts in wanted.items() if key in current and current[key][1] != counts
        ]
        new = {key: counts for key, counts in wanted.items() if key not in current}
        if gone:
            CellTally.objects.filter(pk__in=gone).delete()
        bulk.update_rows(CellTally, COUNTS, changed)
        _insert_cells(new, paths)


@transaction.atomic
def rebuild() -> int:
    """Recompute every row from the register (after a bulk load, or to repair). Returns the row count."""
    return rebuild_cells() + rebuild_months()


@transaction.atomic
def rebuild_cells() -> int:
    CellTally.objects.all().delete()
    return _insert_cells(compute(), dict(Unit.objects.values_list("pk", "path")))


def _insert_cells(rows: dict[tuple, list[int]], paths: dict[int, str]) -> int:
    """New rows, {(cell, grain, day): counts} as ``compute`` gives them; ``paths``: the cells' paths."""
    day = connection.ops.adapt_datefield_value
    values = [(cell, paths[cell], int(grain), day(first), *counts) for (cell, grain, first), counts in rows.items()]
    return bulk.insert_rows(CellTally, ("cell", "path", "grain", "day", *COUNTS), values)


def check() -> list[str]:
    """Differences between the stored rows and the register (empty when they agree)."""
    wanted, current = compute(), stored()
    problems = []
    for key in sorted(set(wanted) | set(current), key=lambda k: (k[0], k[1], k[2])):
        want = wanted.get(key, [0] * len(COUNTS))
        have = current[key][1] if key in current else [0] * len(COUNTS)
        if want != have:
            diff = {n: (h, w) for n, h, w in zip(COUNTS, have, want, strict=True) if h != w}
            problems.append(f"cell {key[0]} {Grain(key[1]).label} {key[2]}: {diff}")
    for cell, path, n in (
        CellTally.objects.exclude(path=F("cell__path"))
        .values_list("cell_id", "path")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        problems.append(f"cell {cell}: {n} rows at path {path}, not the cell's")
    # The months of the units under a province, against their cells' month rows just checked.
    wanted_months, stored_months = compute_months(), stored_months_of()
    for key in sorted(set(wanted_months) | set(stored_months)):
        if wanted_months.get(key, 0) != stored_months.get(key, 0):
            problems.append(f"unit {key[0]} month {key[1]}: {stored_months.get(key, 0)} ≠ {wanted_months.get(key, 0)}")
    return problems


# --- admissions per month of the units directly under a province (UnitMonth) ---------------------------


def top_of(path: str) -> int | None:
    """The id of the unit directly under the province on ``path``."""
    return id_on_path(path, 1)


ADMITTED = (INDEX["admitted_union"], INDEX["admitted_federation"])


def _admitted(counts) -> int:
    return sum(counts[i] for i in ADMITTED)


def _add_to_months(paths: dict[int, str], current: dict, wanted: dict) -> None:
    """Carry the change in the cells' month rows to their units' UnitMonth rows, as increments: two
    writes in one district add up without waiting for each other beyond the month's row."""
    zero = [0] * len(COUNTS)
    deltas: dict[tuple, int] = defaultdict(int)
    for key in set(current) | set(wanted):
        cell, grain, day = key
        top = top_of(paths[cell]) if grain == Grain.MONTH else None
        if top is None:
            continue
        delta = _admitted(wanted.get(key, zero)) - _admitted(current[key][1] if key in current else zero)
        if delta:
            deltas[(top, day)] += delta
    table = UnitMonth._meta.db_table
    with connection.cursor() as cursor:
        for (unit, day), delta in sorted(deltas.items()):
            cursor.execute(
                f"INSERT INTO {table} (unit_id, day, admitted) VALUES (%s, %s, %s)"  # noqa: S608 - the table name
                f" ON CONFLICT (unit_id, day) DO UPDATE SET admitted = {table}.admitted + excluded.admitted",
                [unit, day.isoformat(), delta],
            )


def compute_months(top_ids: Iterable[int] | None = None) -> dict[tuple, int]:
    """{(unit, month): admissions} for the units under a province (``top_ids``, or all), from the cells' month rows."""
    rows = CellTally.objects.filter(grain=Grain.MONTH).filter(Q(admitted_union__gt=0) | Q(admitted_federation__gt=0))
    wanted = None if top_ids is None else set(top_ids)
    if wanted is not None:
        q = Q(pk__in=[])
        for unit in Unit.objects.filter(pk__in=wanted):
            q |= unit.subtree_q("cell__")
        rows = rows.filter(q)
    months: dict[tuple, int] = defaultdict(int)
    for path, day, union, federation in rows.values_list(
        "cell__path", "day", "admitted_union", "admitted_federation"
    ).iterator(chunk_size=5000):
        top = top_of(path)
        # Only the units asked for: a unit no longer under the province is recounted as nothing.
        if top is not None and (wanted is None or top in wanted):
            months[(top, day)] += union + federation
    return {key: n for key, n in months.items() if n}


def stored_months_of(top_ids: Iterable[int] | None = None) -> dict[tuple, int]:
    rows = UnitMonth.objects.exclude(admitted=0)
    if top_ids is not None:
        rows = rows.filter(unit_id__in=list(top_ids))
    return {(unit, day): n for unit, day, n in rows.values_list("unit_id", "day", "admitted")}


@transaction.atomic
def rebuild_months(top_ids: Iterable[int] | None = None) -> int:
    """Recompute the UnitMonth rows of ``top_ids`` (all when None) from the cells' month rows; rows of
    units no longer directly under a province go. Returns the row count written."""
    ids = None if top_ids is None else sorted(set(top_ids))
    gone = UnitMonth.objects.all() if ids is None else UnitMonth.objects.filter(unit_id__in=ids)
    gone.delete()
    day = connection.ops.adapt_datefield_value
    rows = [(unit, day(first), n) for (unit, first), n in compute_months(ids).items()]
    return bulk.insert_rows(UnitMonth, ("unit", "day", "admitted"), rows)


def unit_moved(sender, unit: Unit, old_path: str, **kwargs) -> None:
    """A unit and its subtree moved: its cells' rows take their new paths, and the months of the units under
    a province it left and joined (and its own, should it have become or stopped being one) are recounted."""
    low, high = path_range(old_path)
    CellTally.objects.filter(path__gte=low, path__lt=high).update(
        path=Concat(Value(unit.path), Substr("path", len(old_path) + 1))
    )
    rebuild_months({pk for pk in (top_of(old_path), top_of(unit.path), unit.pk) if pk})


# --- reading: a period as signed sums of rows ------------------------------------------------------

COST = {Grain.ALL: 1.0, Grain.YEAR: 1.0, Grain.MONTH: 0.8, Grain.DAY: 0.1}


def _plus(*parts: dict) -> dict:
    out: dict = defaultdict(int)
    for part in parts:
        for key, coef in part.items():
            out[key] += coef
    return {k: v for k, v in out.items() if v}


def _minus(part: dict) -> dict:
    return {k: -v for k, v in part.items()}


def _year_part(d: date) -> list[dict]:
    """Ways of writing "events in d's year up to d" as rows with coefficients."""
    y, m = d.year, d.month
    last = calendar.monthrange(y, m)[1]
    months_before = {(Grain.MONTH, date(y, k, 1)): 1 for k in range(1, m)}
    year_less_months = {(Grain.YEAR, date(y, 1, 1)): 1, **{(Grain.MONTH, date(y, k, 1)): -1 for k in range(m, 13)}}
    days_to = {(Grain.DAY, date(y, m, k)): 1 for k in range(1, d.day + 1)}
    month_less_days = {
        (Grain.MONTH, date(y, m, 1)): 1,
        **{(Grain.DAY, date(y, m, k)): -1 for k in range(d.day + 1, last + 1)},
    }
    return [_plus(a, b) for a in (months_before, year_less_months) for b in (days_to, month_less_days)]


def _cost(terms: dict) -> float:
    return sum(COST[grain] for grain, _day in terms)


def prefix(d: date) -> tuple[dict, date]:
    """Events up to and including ``d``: (rows with coefficients, year after which every row is
    subtracted). Together: ALL - (years after d's year) - d's year + the part of d's year up to d."""
    best = min(_year_part(d), key=_cost)
    return _plus({(Grain.ALL, EVER): 1, (Grain.YEAR, date(d.year, 1, 1)): -1}, best), date(d.year, 1, 1)


def interval(a: date, b: date) -> dict:
    """Events on days a..b as rows with coefficients (the rows common to both ends cancel)."""
    before = a - timedelta(days=1)
    years = {(Grain.YEAR, date(y, 1, 1)): 1 for y in range(before.year + 1, b.year + 1)}
    edges = _plus({(Grain.YEAR, date(before.year, 1, 1)): 1}, {(Grain.YEAR, date(b.year, 1, 1)): -1})
    options = [
        _plus(years, edges, upto_b, _minus(upto_a))
        for upto_b, upto_a in itertools.product(_year_part(b), _year_part(before))
    ]
    return min(options, key=_cost)


def stored_period(start: date, end: date) -> tuple[int, date] | None:
    """The (grain, first day) under which introducers for [start, end] are stored, if they are."""
    if start.day != 1 or (end + timedelta(days=1)).day != 1:
        return None
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months == 12 and start.month == 1:
        return Grain.YEAR, start
    if months == 6 and start.month == 1:
        return Grain.HALF, start
    if months == 3 and start.month in (1, 4, 7, 10):
        return Grain.QUARTER, start
    return None


SUMMED = ("members_start", "members_now", *COUNTS[2:7], "in_training", "open_referrals", "introducers")
LAST_DAY = date(9999, 12, 31)


def sums(start: date, end: date, as_of: date, cell_ids: list[int] | None = None, *, under: Unit | None = None):
    """Members on ``start`` and on ``as_of``, events in [start, end], the current pipeline, and
    introducers when stored for this period: rows of (key, *SUMMED). One query.

    Per cell (of ``cell_ids``, or every cell when None), or with ``under``: per unit directly under
    that unit (not a cell), keyed by the unit's id as text and grouped in the database, so a province
    report reads a dozen rows instead of thousands; the subtree is a range of the rows' copied paths.

    Each term is a range of days of one grain (a single day, or "every year after Y") with a
    coefficient per figure: one index range scan of the covering index ``tally_span`` each, added up
    with UNION ALL. Raw SQL: the ORM's CASE expressions cost twice as much at province scale, and a
    join from a VALUES list made PostgreSQL scan the whole table."""
    day = "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"
    table = CellTally._meta.db_table
    key, in_cells, cells = "cell_id", "", list(cell_ids or ())
    if cell_ids is not None:
        in_cells = f"AND cell_id IN ({', '.join(['%s'] * len(cell_ids))})"
    if under is not None:
        # The child's id: the path's segment after the unit's own path. The subtree: a range of paths, read
        # from the rows themselves (no join to the tree: planning the joins cost more than reading).
        n = len(under.path)
        pos = "STRPOS" if connection.vendor == "postgresql" else "INSTR"
        key = f"SUBSTR(path, {n + 1}, {pos}(SUBSTR(path, {n + 1}), '/') - 1)"
        in_cells, cells = "AND path >= %s AND path < %s", list(path_range(under.path))
    branches, params = [], []
    for grain, coefs, span, days in _branches(start, end, as_of):
        # One index range per branch, its coefficients written in as integer literals.
        c_start, c_now, c_during, c_state, c_period = coefs
        if span:
            when = f"day BETWEEN {day} AND {day}"
            params.extend(span)
        else:
            when = f"day IN ({', '.join([day] * len(days))})"
            params.extend(days)
        params.extend(cells)
        branches.append(
            f"SELECT {key} AS cell_id, (members_in - members_out) * {c_start} AS m_start,"  # noqa: S608
            f" (members_in - members_out) * {c_now} AS m_now, introduced * {c_during} AS introduced,"
            f" admitted_union * {c_during} AS adm_u, admitted_federation * {c_during} AS adm_f,"
            f" party_introduced * {c_during} AS p_i, party_admitted * {c_during} AS p_a,"
            f" in_training * {c_state} AS training, open_referrals * {c_state} AS pipeline,"
            f" introducers * {c_period} AS introducers"
            f" FROM {table} WHERE grain = {int(grain)} AND {when} {in_cells}"
        )
    sql = f"""
        SELECT cell_id, SUM(m_start), SUM(m_now), SUM(introduced), SUM(adm_u), SUM(adm_f),
               SUM(p_i), SUM(p_a), SUM(training), SUM(pipeline), SUM(introducers)
          FROM ({" UNION ALL ".join(branches)}) AS terms
         GROUP BY 1"""  # noqa: S608 - integers, placeholders and the table name only
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@functools.lru_cache(maxsize=512)
def _branches(start: date, end: date, as_of: date) -> tuple:
    """The rows ``sums`` adds up for a period, as (grain, coefficients, (first, last) or (), days): pure date
    arithmetic, the same for every unit, so computed once per period and day."""
    at_start, after_start = prefix(start)
    at_now, after_now = prefix(as_of)
    during = interval(start, end)
    span = stored_period(start, end)
    # (grain, from, to) -> coefficients for: members at start, members now, during, the current state, introducers
    terms: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for i, part in enumerate((at_start, at_now, during)):
        for (grain, day), coef in part.items():
            terms[(grain, day, day)][i] += coef
    terms[(Grain.YEAR, after_start + timedelta(days=1), LAST_DAY)][0] -= 1
    terms[(Grain.YEAR, after_now + timedelta(days=1), LAST_DAY)][1] -= 1
    terms[(Grain.ALL, EVER, EVER)][3] = 1
    if span:
        terms[(span[0], span[1], span[1])][4] = 1
    # Single days of one grain with the same coefficients (the days left in this month, the months before a
    # quarter...) are one branch, ``day IN (...)``: one index scan per day still, but less for the planner.
    merged: dict[tuple, list] = defaultdict(list)
    for (grain, first, last), coefs in terms.items():
        if any(coefs):
            between = () if first == last else (first.isoformat(), last.isoformat())
            merged[(grain, tuple(int(c) for c in coefs), between)].append(first.isoformat())
    return tuple((grain, coefs, between, tuple(days)) for (grain, coefs, between), days in merged.items())


def monthly(first: date, last: date, unit: Unit) -> list[tuple[date, int]]:
    """(month, admissions) in the cells under ``unit`` for the months from ``first`` to ``last``: one row
    a month. A province adds up the UnitMonth rows of the units under it (a dozen a month), a unit under
    a province reads its own; a smaller unit its cells' month rows, a range of their paths."""
    if unit.parent_id is None or top_of(unit.path) == unit.pk:
        mine = Q(unit__parent_id=unit.pk) if unit.parent_id is None else Q(unit_id=unit.pk)
        return list(
            UnitMonth.objects.filter(mine, day__gte=first, day__lte=last)
            .values_list("day")
            .annotate(n=Sum("admitted"))
            .order_by()
        )
    low, high = path_range(unit.path)
    return list(
        CellTally.objects.filter(grain=Grain.MONTH, day__gte=first, day__lte=last, path__gte=low, path__lt=high)
        .values_list("day")
        .annotate(n=Sum(F("admitted_union") + F("admitted_federation")))
        .order_by()
    )
