"""The one way a status changes: every state machine of the portal goes through ``StatusMachine``.

A machine names its model, the status field, the table of allowed moves, the domain error
to raise and how a move is audited. ``move`` changes one row: it locks the row
(``select_for_update``), refuses a move the table does not allow, saves the status (and the
caller's extra fields) with ``update_fields`` and writes the audit, all in one transaction.
``move_many`` is the set-based form for sweeps over thousands of rows (closing a cycle,
expiring offers, the outbox claiming a message): one conditional ``UPDATE`` restricted to the
rows whose current status may make the move, and one bulk audit write, whatever the number
of rows.

Models whose status belongs to a machine inherit ``StatusGuarded``: saving a changed status
outside ``move`` raises, so nothing assigns a status by hand. Queryset ``update`` calls are
the remaining path; a test (``tests/test_statemachine.py``) refuses them outside this module.

The platform imports no domain app: machines are declared beside the models they move
(``<app>/transitions.py`` or the services that own them).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections, models, router, transaction
from django.db.models.sql import UpdateQuery
from django.utils import timezone
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

import jinseed.bulk  # noqa: F401 - registers the ``__any`` lookup used below
from jinseed.errors import DomainError

_moving: contextvars.ContextVar[bool] = contextvars.ContextVar("status_machine_moving", default=False)


@dataclass(frozen=True)
class Change:
    """One row's move, as handed to a machine's audit function."""

    pk: int
    from_status: str
    to_status: str
    actor: Any
    reason: str
    at: Any
    obj: models.Model | None = None
    extra: dict = field(default_factory=dict)


AuditWriter = Callable[[list[Change]], None]


class StatusGuardedError(RuntimeError):
    """A status was changed without its state machine: a programming error, never a user's."""


class StatusGuarded(models.Model):
    """Refuses ``save()`` of a changed status outside ``StatusMachine.move``.

    The loaded value is remembered when the row is read or saved; a new row may start in
    any status (its machine's initial one, or the one a bulk import or the demo gives it).
    """

    status_field = "status"

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        writes_status = update_fields is None or self.status_field in update_fields
        loaded = getattr(self, "_loaded_status", None)
        current = self.__dict__.get(self.status_field)
        if (
            writes_status
            and not self._state.adding
            and hasattr(self, "_loaded_status")
            and loaded != current
            and not _moving.get()
        ):
            raise StatusGuardedError(
                f"{type(self).__name__}.{self.status_field} changed from {loaded!r} to {current!r} "
                "outside its StatusMachine"
            )
        super().save(*args, **kwargs)
        self._loaded_status = self.__dict__.get(self.status_field)

    @classmethod
    def from_db(cls, db: str | None, field_names: Collection[str], values: Collection[Any]) -> Any:  # type: ignore[override]
        instance = super().from_db(db, field_names, values)
        instance._loaded_status = instance.__dict__.get(cls.status_field)
        return instance

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        self._loaded_status = self.__dict__.get(self.status_field)


M = TypeVar("M", bound=models.Model)


class StatusMachine(Generic[M]):
    """One state machine: model, status field, allowed moves, error, audit.

    ``labels`` is the ``TextChoices`` of the status, for the refusal message; ``message`` may
    replace the default refusal (``%(from)s`` and ``%(to)s`` are the statuses' labels).
    """

    def __init__(
        self,
        *,
        model: type[M],
        transitions: Mapping[Any, frozenset[str]],
        labels: type[models.TextChoices],
        error: type[DomainError],
        audit: AuditWriter | None = None,
        field: str = "status",
        message: StrOrPromise | None = None,
        timestamp_field: str | None = None,
    ) -> None:
        self.model = model
        self.transitions = transitions
        self.labels = labels
        self.error = error
        self.audit = audit
        self.field = field
        self.message = message
        self.timestamp_field = timestamp_field

    # --- the table ----------------------------------------------------------------------------

    def allows(self, from_status: str, to_status: str) -> bool:
        return to_status in self.transitions.get(from_status, frozenset())

    def sources_of(self, to_status: str) -> frozenset[str]:
        """Every status that may move to ``to_status``."""
        return frozenset(s for s, targets in self.transitions.items() if to_status in targets)

    def refusal(self, from_status: str, to_status: str) -> DomainError:
        template = self.message or _("This is “%(from)s” and cannot become “%(to)s”.")
        return self.error(
            template % {"from": self._label(from_status), "to": self._label(to_status)},
            code="illegal_transition",
        )

    def check(self, from_status: str, to_status: str) -> None:
        if not self.allows(from_status, to_status):
            raise self.refusal(from_status, to_status)

    def _label(self, value: str) -> str:
        try:
            return str(self.labels(value).label)
        except ValueError:
            return value

    # --- one row ------------------------------------------------------------------------------

    def lock(self, obj_or_pk: M | int, *, select_related: Iterable[str] = ()) -> M:
        pk = getattr(obj_or_pk, "pk", obj_or_pk)
        qs = self.model._default_manager.select_for_update()
        if select_related:
            qs = qs.select_related(*select_related)
        return qs.get(pk=pk)

    @transaction.atomic
    def move(
        self,
        obj: M,
        to_status: str,
        *,
        actor: Any = None,
        reason: str = "",
        at: datetime | None = None,
        fields: Mapping[str, Any] | None = None,
        locked: bool = False,
        select_related: Iterable[str] = (),
        **extra: Any,
    ) -> M:
        """Move ``obj`` to ``to_status`` and return the locked, saved row.

        ``fields`` are saved with the status (a reason column, a timestamp); ``locked`` says
        the caller already holds the row's lock and passes the locked instance; ``extra`` is
        handed to the audit writer. ``obj`` is updated in place as well, so callers holding
        it see the new status.
        """
        at = at or timezone.now()
        row = obj if locked else self.lock(obj, select_related=select_related)
        from_status = getattr(row, self.field)
        self.check(from_status, to_status)
        update_fields = [self.field]
        token = _moving.set(True)
        try:
            setattr(row, self.field, to_status)
            for name, value in (fields or {}).items():
                setattr(row, name, value)
                update_fields.append(name)
            if self.timestamp_field:
                setattr(row, self.timestamp_field, at)
                update_fields.append(self.timestamp_field)
            elif any(f.name == "updated_at" for f in row._meta.concrete_fields):
                update_fields.append("updated_at")
            row.save(update_fields=list(dict.fromkeys(update_fields)))
            if obj is not row:
                setattr(obj, self.field, to_status)
                for name, value in (fields or {}).items():
                    setattr(obj, name, value)
                if isinstance(obj, StatusGuarded):
                    obj._loaded_status = to_status
        finally:
            _moving.reset(token)
        if self.audit is not None:
            self.audit(
                [
                    Change(
                        pk=row.pk,
                        from_status=from_status,
                        to_status=to_status,
                        actor=actor,
                        reason=reason,
                        at=at,
                        obj=row,
                        extra=extra,
                    )
                ]
            )
        return row

    # --- many rows ----------------------------------------------------------------------------

    @transaction.atomic
    def move_many(
        self,
        queryset: models.QuerySet,
        to_status: str,
        *,
        actor=None,
        reason: str = "",
        at=None,
        fields: Mapping[str, Any] | None = None,
        **extra,
    ) -> int:
        """Move every row of ``queryset`` whose status may become ``to_status``; set-based.

        Rows in a status that may not make the move are left alone (that is how a claim
        ``QUEUED → SENDING`` loses to a concurrent one). Returns how many rows moved, in a
        fixed number of queries whatever that number: one ``UPDATE`` without an audit writer;
        with one, a locking read of the rows, the ``UPDATE`` and the writer's bulk insert.
        """
        at = at or timezone.now()
        qs = queryset.filter(**{f"{self.field}__in": self.sources_of(to_status)})
        values = self._values(to_status, fields, at)
        if self.audit is None:
            return qs.update(**values)
        return self._audited(self._lock_and_update(qs, values), to_status, actor=actor, reason=reason, at=at, **extra)

    @transaction.atomic
    def move_ids(
        self,
        ids: Iterable[int],
        to_status: str,
        *,
        actor=None,
        reason: str = "",
        at=None,
        fields: Mapping[str, Any] | None = None,
        **extra,
    ) -> int:
        """``move_many`` for rows named by id (the sixty thousand applications an allocation
        offers a place to): the same moves, audit and count.

        On PostgreSQL, one ``UPDATE … WHERE id = ANY(…) AND status = %s RETURNING id`` for each
        status the move may come from, given only the ids no earlier one moved: the status
        before is the one the statement asked for, so no locking read comes first and no join
        goes back to the rows (``move_many``'s way costs a second index lookup and a lock
        record per row). A row that changes status between two of them may be left alone, as
        a row ``move_many`` finds in a status that may not move is; callers that need every
        row moved compare the count. Elsewhere, and for a move a status makes to itself,
        ``move_many``.
        """
        ids = set(ids)
        at = at or timezone.now()
        values = self._values(to_status, fields, at)
        sources = self.sources_of(to_status)
        alias = router.db_for_write(self.model)
        manager = self.model._default_manager.db_manager(alias)
        connection = connections[alias]
        if connection.vendor != "postgresql" or not _plain(values) or self.audit is None or to_status in sources:
            return self.move_many(
                manager.filter(pk__any=ids), to_status, actor=actor, reason=reason, at=at, fields=fields, **extra
            )
        rows: list[tuple[int, str]] = []
        for source in sorted(sources):
            if not ids:
                break
            moved = _update_returning_ids(manager.filter(pk__any=ids, **{self.field: source}), values)
            rows.extend((pk, source) for pk in moved)
            ids.difference_update(moved)
        return self._audited(rows, to_status, actor=actor, reason=reason, at=at, **extra)

    def _values(self, to_status: str, fields: Mapping[str, Any] | None, at) -> dict[str, Any]:
        """The columns a move writes: the status, ``fields``, and the time it happened."""
        values = {self.field: to_status, **(fields or {})}
        if self.timestamp_field:
            values[self.timestamp_field] = at
        elif any(f.name == "updated_at" for f in self.model._meta.concrete_fields):
            values.setdefault("updated_at", at)
        return values

    def _audited(self, rows: list[tuple[int, str]], to_status: str, *, actor, reason: str, at, **extra) -> int:
        """Write the audit of the moved ``rows`` (pk, status before); returns how many."""
        if rows:
            self.audit(
                [
                    Change(
                        pk=pk,
                        from_status=from_status,
                        to_status=to_status,
                        actor=actor,
                        reason=reason,
                        at=at,
                        extra=extra,
                    )
                    for pk, from_status in rows
                ]
            )
        return len(rows)

    def _lock_and_update(self, qs: models.QuerySet, values: Mapping[str, Any]) -> list[tuple[int, str]]:
        """Lock the rows of ``qs``, update them, and return (pk, status before) of each.

        On PostgreSQL one statement, ``WITH old AS (SELECT … FOR UPDATE) UPDATE … FROM old
        RETURNING``: no id list travels to Python and back (a closed cycle moves 100k rows).
        Elsewhere, or when a value is an expression (``F("attempts") + 1``) or a model instance, a locking read
        then an ``UPDATE`` of those ids.
        """
        connection = connections[qs.db]
        if connection.vendor != "postgresql" or not _plain(values):
            rows = list(qs.select_for_update().values_list("pk", self.field))
            if rows:
                self.model._default_manager.filter(pk__any={pk for pk, _status in rows}).update(**values)
            return rows
        try:
            select, select_params = (
                qs.select_for_update().order_by().values_list("pk", self.field).query.get_compiler(qs.db).as_sql()
            )
        except EmptyResultSet:
            return []
        opts = self.model._meta
        quote = connection.ops.quote_name
        assignments, params = [], []
        for name, value in values.items():
            model_field = opts.get_field(name)
            assignments.append(f"{quote(model_field.column)} = %s")
            params.append(model_field.get_db_prep_save(value, connection))
        table, pk = quote(opts.db_table), quote(opts.pk.column)
        sql = (
            f"WITH old (pk, status) AS ({select}) "  # noqa: S608 - names from the model, values as parameters
            f"UPDATE {table} SET {', '.join(assignments)} FROM old WHERE {table}.{pk} = old.pk "
            f"RETURNING {table}.{pk}, old.status"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*select_params, *params])
            return cursor.fetchall()


def _plain(values: Mapping[str, Any]) -> bool:
    """No value is an expression (``F("attempts") + 1``) or a model instance: each can be sent
    as a prepared parameter of hand-written SQL."""
    return not any(hasattr(v, "resolve_expression") or isinstance(v, models.Model) for v in values.values())


def _update_returning_ids(qs: models.QuerySet, values: Mapping[str, Any]) -> list[int]:
    """``qs.update(**values)`` that returns the ids of the rows it changed (PostgreSQL)."""
    query = qs.query.chain(UpdateQuery)
    query.add_update_values(values)
    try:
        sql, params = query.get_compiler(qs.db).as_sql()
    except EmptyResultSet:
        return []
    opts = qs.model._meta
    quote = connections[qs.db].ops.quote_name
    with connections[qs.db].cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {quote(opts.db_table)}.{quote(opts.pk.column)}", params)
        return [row[0] for row in cursor.fetchall()]


def status_change_audit(model: type[models.Model]) -> AuditWriter:
    """The audit writer of a machine without a history table of its own: ``StatusChange`` rows."""

    def write(changes: list[Change]) -> None:
        from django.contrib.contenttypes.models import ContentType

        from jinseed.audit.models import StatusChange
        from jinseed.bulk import bulk_insert

        content_type = ContentType.objects.get_for_model(model)
        bulk_insert(
            StatusChange,
            ["content_type_id", "object_id", "from_status", "to_status", "actor_id", "reason", "at"],
            [
                (content_type.pk, c.pk, c.from_status, c.to_status, getattr(c.actor, "pk", None), str(c.reason), c.at)
                for c in changes
            ],
        )

    return write
