"""Inserting many rows in one statement: PostgreSQL's COPY, ``bulk_create`` elsewhere.

``bulk_create`` prepares every value of every row through its field and builds one huge
parametrised INSERT: at a hundred thousand rows (a district's offers and their messages, the
audit rows of a closed cycle) that preparation alone takes seconds. ``bulk_insert`` takes plain
tuples of Python values for the named fields, fills the other columns with their model
defaults once, and streams the rows with COPY on PostgreSQL — ids, when wanted, are drawn from
the table's sequence first in one query. On SQLite (development, tests) it builds the
instances and calls ``bulk_create``, so both paths store the same rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.core.exceptions import EmptyResultSet
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router
from django.utils import timezone


def _defaults(model: type[models.Model], names: Sequence[str], connection) -> tuple[list[str], tuple]:
    """The columns not in ``names`` (the primary key aside) and their prepared defaults."""
    tail_names, tail = [], []
    now = timezone.now()
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in names or field.attname in names:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        elif field.null and not field.has_default():
            value = None
        else:
            value = field.get_default()
        if isinstance(field, models.JSONField):
            value = None if value is None else json.dumps(value, cls=DjangoJSONEncoder)
        elif value is not None:
            value = field.get_db_prep_save(value, connection)
        tail_names.append(field.attname)
        tail.append(value)
    return tail_names, tuple(tail)


def bulk_insert(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple], *, returning_ids: bool = False
) -> list[int]:
    """Insert ``rows`` (tuples of Python values for ``fields``, attnames such as ``post_id``);
    returns the new ids in the order of ``rows`` when ``returning_ids``, else ``[]``.

    Values go in as they are: ints, strings, booleans, aware datetimes, dates, ``None``; a dict
    or list for a JSON field. No ``save()``, no signals — as with ``bulk_create``.
    """
    if not rows:
        return []
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        objs = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        created = model._default_manager.using(alias).bulk_create(objs)
        return [obj.pk for obj in created] if returning_ids else []
    opts = model._meta
    json_positions = [i for i, name in enumerate(fields) if isinstance(opts.get_field(name), models.JSONField)]
    tail_names, tail = _defaults(model, fields, connection)
    names = list(fields) + tail_names
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    ids: list[int] = []
    with connection.cursor() as cursor:
        if returning_ids:
            pk = quote(opts.pk.column)
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [opts.db_table, opts.pk.column, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            columns = ", ".join([pk, *(quote(opts.get_field(n).column) for n in names)])
        else:
            columns = ", ".join(quote(opts.get_field(n).column) for n in names)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for index, row in enumerate(rows):
                if json_positions:
                    row = list(row)
                    for position in json_positions:
                        if row[position] is not None:
                            row[position] = json.dumps(row[position], cls=DjangoJSONEncoder)
                    row = tuple(row)
                copy.write_row(((ids[index],) if returning_ids else ()) + row + tail)
    return ids


class AnyOf(models.lookups.In):
    """``field__any=[…]``: ``field IN (…)`` written for long lists of values.

    On PostgreSQL the list travels as one array parameter (``field = ANY(%s)``) instead of one
    placeholder per value: with tens of thousands of ids (a district's offers, a closed cycle's
    applications) building and parsing ``IN (%s, %s, …)`` costs more than the query itself.
    Elsewhere, and for a subquery, it is ``__in``.
    """

    lookup_name = "any"

    def as_postgresql(self, compiler, connection):
        if hasattr(self.rhs, "query") or not isinstance(self.rhs, list | tuple | set | frozenset):
            return super().as_sql(compiler, connection)
        values = [value for value in dict.fromkeys(self.rhs) if value is not None]
        if not values:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        prepared = [field.get_db_prep_value(value, connection, prepared=False) for value in values]
        cast = field.db_type(connection)
        return f"{lhs} = ANY(%s::{cast}[])", [*lhs_params, prepared]


models.Field.register_lookup(AnyOf)
# A foreign key (``recipient_id__any=[…]``) has lookups of its own; the ids compare as its column.
models.ForeignObject.register_lookup(AnyOf)
