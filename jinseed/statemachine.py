"""The one way a status changes: every state machine of the portal goes through ``StatusMachine``.

A machine names its model, the status field, the table of allowed moves, the domain error
to raise and how a move is audited. ``move`` changes one row: it locks the row
(``select_for_update``), refuses a move the table does not allow, saves the status (and the
caller's extra fields) with ``update_fields`` and writes the audit, all in one transaction.
``move_many`` is the set-based form for sweeps over thousands of rows (closing a cycle,
expiring offers, the outbox claiming a message): a conditional ``UPDATE`` restricted to the
rows whose current status may make the move and one bulk audit write, in plain ORM queries
whose number grows only with the batches of ids (``jinseed.bulk.id_batches``).

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

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from jinseed.bulk import id_batches
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
        ``QUEUED → SENDING`` loses to a concurrent one). Returns how many rows moved. Without
        an audit writer, one ``UPDATE``. With one, a locking read of the rows and their
        statuses, the ``UPDATE`` of exactly those rows (by id, a batch at a time) and the
        writer's bulk insert: the audit names each row with the status it really had.
        """
        at = at or timezone.now()
        qs = queryset.filter(**{f"{self.field}__in": self.sources_of(to_status)})
        values = self._values(to_status, fields, at)
        if self.audit is None:
            return qs.update(**values)
        rows = list(qs.select_for_update(of=("self",)).order_by("pk").values_list("pk", self.field))
        manager = self.model._default_manager.db_manager(qs.db)
        for batch in id_batches(pk for pk, _status in rows):
            manager.filter(pk__in=batch).update(**values)
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

    @transaction.atomic
    def move_ids(self, ids: Iterable[int], to_status: str, *, at=None, **options) -> int:
        """``move_many`` for rows named by id (the applications an allocation offers a place
        to), a batch of ids at a time, all at the same moment and in one transaction; returns
        how many moved. A caller that needs every row moved compares the count."""
        at = at or timezone.now()
        manager = self.model._default_manager
        return sum(
            self.move_many(manager.filter(pk__in=batch), to_status, at=at, **options) for batch in id_batches(ids)
        )

    def _values(self, to_status: str, fields: Mapping[str, Any] | None, at) -> dict[str, Any]:
        """The columns a move writes: the status, ``fields``, and the time it happened."""
        values = {self.field: to_status, **(fields or {})}
        if self.timestamp_field:
            values[self.timestamp_field] = at
        elif any(f.name == "updated_at" for f in self.model._meta.concrete_fields):
            values.setdefault("updated_at", at)
        return values


def status_change_audit(model: type[models.Model]) -> AuditWriter:
    """The audit writer of a machine without a history table of its own: ``StatusChange`` rows."""

    def write(changes: list[Change]) -> None:
        from django.contrib.contenttypes.models import ContentType

        from jinseed.audit.models import StatusChange

        content_type = ContentType.objects.get_for_model(model)
        StatusChange.objects.bulk_create(
            StatusChange(
                content_type=content_type,
                object_id=c.pk,
                from_status=c.from_status,
                to_status=c.to_status,
                actor_id=getattr(c.actor, "pk", None),
                reason=str(c.reason),
                at=c.at,
            )
            for c in changes
        )

    return write
