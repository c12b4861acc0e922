"""Writing many rows at once for the demo data and the benchmarks (dev tools, not the product).

``bulk_create`` prepares every value of every row through its field, which is slow for the
benchmarks' hundred thousand students and million applications. ``bulk_insert`` takes
rows of values already in the database's form (``connection.ops.adapt_*``), fills the other
columns with their model defaults, and writes them with PostgreSQL's COPY, or ``executemany``
elsewhere.
"""

from collections.abc import Iterable
from itertools import islice

from django.db import connection
from django.utils import timezone

#: Rows per ``executemany`` call.
CHUNK = 5_000


def bulk_insert(model, fields: str, rows: Iterable[tuple]) -> None:
    """Insert ``rows`` (tuples of the values of ``fields``, space-separated names, in that
    order); every other column gets its model default (none for a nullable field without
    one), so that a field added later with a default does not break the callers."""
    opts = model._meta
    names = fields.split()
    now = timezone.now()
    tail_names, tail = [], []
    for field in opts.concrete_fields:
        if field.name in names or field.attname in names or field.primary_key or field.generated:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        elif field.null and not field.has_default():
            continue
        else:
            value = field.get_default()
        tail_names.append(field.name)
        tail.append(field.get_db_prep_save(value, connection))
    tail_values = tuple(tail)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(opts.get_field(name).column) for name in names + tail_names)
    table = quote(opts.db_table)
    rows = iter(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row + tail_values)
            return
        placeholders = ", ".join(["%s"] * (len(names) + len(tail_names)))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 - names from the model
        while chunk := list(islice(rows, CHUNK)):
            cursor.executemany(sql, [row + tail_values for row in chunk])


def bulk_delete(queryset) -> int:
    """``DELETE … WHERE id IN (the queryset's ids)`` in one statement, without collecting the
    rows in Python or sending signals (``QuerySet.delete()`` loads every row and its relations
    first). Whatever still points at a deleted row makes the database refuse. Returns the
    rows deleted."""
    model = queryset.model
    subquery, params = queryset.order_by().values("pk").query.sql_with_params()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} IN ({subquery})",  # noqa: S608 - names from the model
            params,
        )
        return cursor.rowcount
