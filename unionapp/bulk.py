"""Bulk loads without ``bulk_create``'s per-value work: the province-scale seed (250.000 rows) and the rebuild of
the reports' summary rows (460.000) spent most of their time in Django compiling each value of each row.

Only for loads that create rows wholesale (no signals, no ``save``): plain fields (text, numbers, booleans,
dates, times with a time zone, foreign keys).

On SQLite rows go in through ``executemany`` (no round trip: the database is in the process); on PostgreSQL
as INSERTs of many rows each, since psycopg2's ``executemany`` sends one statement a row, a round trip each
(the province seed spent 9 minutes waiting on them).
"""

import enum

from django.core.management.color import no_style
from django.db import connection, models, transaction

# Values in one multi-row INSERT on PostgreSQL (a few hundred rows): far below its limits, few round trips.
MULTI_ROW_VALUES = 6000


def _run(sql: str, rows: list[tuple], batch_size: int) -> int:
    # One transaction: SQLite commits each row of an executemany by itself otherwise.
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, rows[start : start + batch_size])
    return len(rows)


def _run_multi_row(head: str, one: str, tail: str, rows: list[tuple]) -> int:
    """``head``, ``one`` (the placeholders of a row) once per row, comma-separated, ``tail``: a few hundred
    rows a statement."""
    per_statement = max(1, MULTI_ROW_VALUES // len(rows[0])) if rows else 1
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            cursor.execute(head + ", ".join([one] * len(chunk)) + tail, [v for row in chunk for v in row])
    return len(rows)


def _names(model, fields) -> tuple[str, list[str]]:
    """The table's and the fields' column names, quoted by the backend (the SQL below has no other text
    than these names; every value is a parameter)."""
    quote = connection.ops.quote_name
    return quote(model._meta.db_table), [quote(model._meta.get_field(name).column) for name in fields]


def insert_rows(model, fields: tuple[str, ...], rows: list[tuple], batch_size: int = 5000) -> int:
    """Rows as tuples of database-ready values in ``fields`` order. Returns how many."""
    table, columns = _names(model, fields)
    one = f"({', '.join(['%s'] * len(columns))})"
    insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608
    if connection.vendor == "sqlite":
        return _run(insert + one, rows, batch_size)
    return _run_multi_row(insert, one, "", rows)


def update_rows(model, fields: tuple[str, ...], rows: list[tuple], batch_size: int = 5000) -> int:
    """Rows as tuples of database-ready values in ``fields`` order, then the row's id: plain UPDATEs
    (``bulk_update`` builds a CASE expression per field, which costs more than the few rows it writes); on
    PostgreSQL one statement for many rows, joined to their new values."""
    table, columns = _names(model, fields)
    (pk,) = _names(model, [model._meta.pk.name])[1]
    if connection.vendor == "sqlite":
        assignments = ", ".join(f"{c} = %s" for c in columns)
        return _run(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", rows, batch_size)  # noqa: S608
    names = [f"v{i}" for i in range(len(columns))]
    assignments = ", ".join(f"{c} = v.{n}" for c, n in zip(columns, names, strict=True))
    # Typed, so that a column whose first value is NULL is not taken for text.
    types = [model._meta.get_field(name).db_type(connection) for name in fields]
    types.append(model._meta.pk.db_type(connection))
    one = f"({', '.join(f'CAST(%s AS {t})' for t in types)})"
    head = f"UPDATE {table} SET {assignments} FROM (VALUES "  # noqa: S608
    return _run_multi_row(head, one, f") AS v({', '.join(names)}, id) WHERE {table}.{pk} = v.id", rows)


def _adapter(field):
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    plain = models.ForeignKey | models.CharField | models.TextField | models.IntegerField | models.BooleanField
    if isinstance(field, plain):
        # Choices are enum members: their value (psycopg would write an enum's name).
        return lambda v: v.value if isinstance(v, enum.Enum) else v
    raise TypeError(f"{field.model.__name__}.{field.name}: {type(field).__name__} is not a plain field")


def insert(objs: list, batch_size: int = 5000) -> int:
    """New, unsaved instances of one model, with their defaults already set (as ``Model()`` sets them). They
    get their ids here, after the table's largest, and PostgreSQL's sequence is moved past them."""
    if not objs:
        return 0
    model = type(objs[0])
    next_id = (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    for i, obj in enumerate(objs):
        obj.pk = next_id + i
    fields = list(model._meta.concrete_fields)
    adapt = [(f.attname, _adapter(f)) for f in fields]
    rows = [tuple(a(v) if (v := getattr(obj, name)) is not None else None for name, a in adapt) for obj in objs]
    insert_rows(model, tuple(f.name for f in fields), rows, batch_size)
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias
    reset_sequence(model)
    return len(objs)


def reset_sequence(model) -> None:
    """Ids were chosen here; tell PostgreSQL's sequence (SQLite needs nothing)."""
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(statement)
