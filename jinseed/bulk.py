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

import gc
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from itertools import islice

from django.core.exceptions import EmptyResultSet
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router
from django.utils import timezone


def _defaults(model: type[models.Model], names: Sequence[str], connection) -> tuple[list[str], tuple]:
    """The columns not in ``names`` (the primary key aside) and their prepared defaults."""
    tail_names, tail = [], []
    now = timezone.now()
    for field in model._meta.concrete_fields:
        if field.primary_key or field.generated or field.name in names or field.attname in names:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        elif field.null and not field.has_default():
            value = None
        else:
            value = field.get_default()
        if isinstance(field, models.JSONField):
            value = None if value is None else EncodedJSON.of(value)
        elif value is not None:
            value = field.get_db_prep_save(value, connection)
        tail_names.append(field.attname)
        tail.append(value)
    return tail_names, tuple(tail)


class EncodedJSON(str):
    """The value of a JSON field already encoded (``EncodedJSON.of(value)``): ``bulk_insert``
    stores it as it is, so that many rows sharing one value encode it once."""

    @classmethod
    def of(cls, value) -> EncodedJSON:
        """``value`` encoded as ``bulk_insert`` encodes a JSON field."""
        return cls(json.dumps(value, cls=DjangoJSONEncoder))


def bulk_insert(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple], *, returning_ids: bool = False
) -> list[int]:
    """Insert ``rows`` (tuples of Python values for ``fields``, attnames such as ``post_id``);
    returns the new ids in the order of ``rows`` when ``returning_ids``, else ``[]``.

    Values go in as they are: ints, strings, booleans, aware datetimes, dates, ``None``; a dict
    or list for a JSON field, or its ``EncodedJSON`` text. No ``save()``, no signals — as with
    ``bulk_create``.
    """
    if not rows:
        return []
    alias = router.db_for_write(model)
    connection = connections[alias]
    opts = model._meta
    json_positions = [i for i, name in enumerate(fields) if isinstance(opts.get_field(name), models.JSONField)]
    if connection.vendor != "postgresql":
        if json_positions:
            rows = [_decoded(row, json_positions) for row in rows]
        objs = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        created = model._default_manager.using(alias).bulk_create(objs)
        return [obj.pk for obj in created] if returning_ids else []
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
                        if row[position] is not None and not isinstance(row[position], EncodedJSON):
                            row[position] = EncodedJSON.of(row[position])
                    row = tuple(row)
                copy.write_row(((ids[index],) if returning_ids else ()) + row + tail)
    return ids


#: Internal types whose values ``__any`` passes as they are (ints and strings need no preparing).
_PLAIN_INTS = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    }
)
_PLAIN_STRINGS = frozenset({"CharField", "TextField", "SlugField", "EmailField"})


def _decoded(row: tuple, positions: list[int]) -> tuple:
    """``row`` with its ``EncodedJSON`` values decoded (for ``bulk_create``)."""
    values = list(row)
    for position in positions:
        if isinstance(values[position], EncodedJSON):
            values[position] = json.loads(values[position])
    return tuple(values)


class AnyOf(models.lookups.In):
    """``field__any=[…]``: ``field IN (…)`` written for long lists of values.

    On PostgreSQL the list travels as one array parameter (``field = ANY(%s)``) instead of one
    placeholder per value: with tens of thousands of ids (a district's offers, a closed cycle's
    applications) building and parsing ``IN (%s, %s, …)`` costs more than the query itself.
    Integers and strings are converted in one pass, not prepared one by one through the field
    as ``__in`` does. Pass a set: Django resolves every element of a list or tuple one by one
    before any lookup sees it, which costs a second at 60k ids. Elsewhere, and for a
    subquery, it is ``__in``.
    """

    lookup_name = "any"

    def _plain_kind(self):
        field = getattr(self.lhs, "output_field", None)
        if field is None:
            return None
        target = field.target_field if field.is_relation else field
        kind = target.get_internal_type()
        if kind in _PLAIN_INTS:
            return int
        if kind in _PLAIN_STRINGS:
            return str
        return None

    def get_prep_lookup(self):
        if isinstance(self.rhs, list | tuple | set | frozenset):
            convert = self._plain_kind()
            if convert is not None and not any(hasattr(v, "resolve_expression") for v in self.rhs):
                return [convert(v) for v in dict.fromkeys(self.rhs) if v is not None]
        return super().get_prep_lookup()

    def as_postgresql(self, compiler, connection):
        if hasattr(self.rhs, "query") or not isinstance(self.rhs, list | tuple | set | frozenset):
            return super().as_sql(compiler, connection)
        values = [value for value in dict.fromkeys(self.rhs) if value is not None]
        if not values:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        cast = field.db_type(connection)
        kind = self._plain_kind()
        if kind is None:
            values = [field.get_db_prep_value(value, connection, prepared=False) for value in values]
            return f"{lhs} = ANY(%s::{cast}[])", [*lhs_params, values]
        return f"{lhs} = ANY(%s::{cast}[])", [*lhs_params, array_literal(values, kind)]


def array_literal(values, kind: type) -> str:
    """A PostgreSQL array literal of ints or strings (``{1,2}``, ``{"a","b\\"c"}``), built in
    one join: the driver adapts a list element by element, five times slower for 60k strings."""
    if kind is int:
        return "{" + ",".join(map(str, values)) + "}"
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


models.Field.register_lookup(AnyOf)
# A foreign key (``recipient_id__any=[…]``) has lookups of its own; the ids compare as its column.
models.ForeignObject.register_lookup(AnyOf)


@contextmanager
def collection_paused() -> Iterator[None]:
    """Hold Python's cyclic garbage collector while a step builds millions of small objects.

    Reading a district's applications and matching them creates millions of tuples, ints and
    dicts that live until the step ends; each collection the allocator triggers walks all of
    them again, which made the allocation a third slower. Nothing of that forms cycles, so
    pausing the collector frees nothing less; reference counting still frees as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def fetch_row_chunks(queryset: models.QuerySet, *, size: int = 10_000, stream: bool = False) -> Iterator[list[tuple]]:
    """The rows of a ``values_list`` queryset, a chunk at a time (``fetchmany``), as the driver
    returns them: no Django converter per value (for columns that need none, ints and
    strings, a million rows read a third faster), and a caller folding them into something
    smaller never holds them all as Python tuples.

    With ``stream`` (PostgreSQL) the chunks arrive while the query still runs (libpq's chunked
    rows mode): a caller working on each chunk works while the database produces the next,
    instead of after the whole result has come. Until the last chunk has been taken the
    driver holds the connection: a query on it from inside the loop would wait forever."""
    compiler = queryset.query.get_compiler(queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return
    connection = connections[queryset.db]
    with connection.cursor() as cursor:
        if stream and connection.vendor == "postgresql":
            # The driver's own cursor streams. Around it what Django's cursor does: refuse a
            # broken transaction, raise Django's errors (marking the connection), log the query.
            connection.validate_no_broken_transaction()
            logged = cursor.debug_sql(sql, params) if hasattr(cursor, "debug_sql") else nullcontext()
            with logged, connection.wrap_database_errors:
                rows = cursor.cursor.stream(sql, params, size=size)
                while chunk := list(islice(rows, size)):
                    yield chunk
            return
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(size):
            yield chunk
