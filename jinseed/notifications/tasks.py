"""Delivery of the outbox: the Celery tasks, publishing to the broker and the sweeper.

``services`` (the API every app calls) queues rows and publishes them through this module;
nothing here imports ``services``. Rendering is in ``rendering``, the channels in ``channels``.

Rows travel in batches: ``notification_publish`` sends one broker message per
``NOTIFICATION_BATCH_SIZE`` ids, and ``notification_deliver`` claims its rows and, when
there is room, other due rows already published, all in one transaction (QUEUED → SENDING;
``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers never take one row). It
sends them over one SMTP connection and marks each row SENT as soon as the server has
taken it. A broker message whose rows were taken along by another task, redelivered by
Redis or published again by the sweeper finds nothing to claim and does nothing.

A failure belongs to its row alone: a transient error puts that row back to QUEUED with an
exponentially later ``send_after`` and publishes it again for then; the attempt numbered
``NOTIFICATION_MAX_ATTEMPTS`` marks it FAILED; the rest of the batch goes on. The guarantee
(at least once, and at most one message sent twice per worker lost) is explained in
docs/background-work.md.
"""

import contextlib
import datetime as dt
import logging
import smtplib
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import Error, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from jinseed.bulk import id_batches

from .channels import SENDERS, DeliverySession
from .enums import Channel, NotificationStatus
from .errors import TransientDeliveryError
from .models import OUTBOX, Notification
from .rendering import render_message

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (TransientDeliveryError, smtplib.SMTPException, OSError)


def retry_countdown(attempts: int) -> int:
    """Seconds before attempt ``attempts + 1``: base · 2^(attempts-1), capped by the broker limit."""
    base = getattr(settings, "NOTIFICATION_RETRY_BASE_SECONDS", 60)
    cap = getattr(settings, "CELERY_MAX_COUNTDOWN_SECONDS", 3600)
    return int(min(base * 2 ** max(attempts - 1, 0), cap))


def batch_size() -> int:
    return max(1, int(getattr(settings, "NOTIFICATION_BATCH_SIZE", 50)))


def _batch_seconds() -> float:
    """How long a batch may take new rows: half the soft time limit, so that a slow mail
    server makes the task hand its remaining rows back rather than be stopped mid-send."""
    return getattr(settings, "CELERY_TASK_SOFT_TIME_LIMIT", 120) / 2


def notification_claim(*, notification_ids: Sequence[int], take_along: bool) -> list[Notification]:
    """Claim (QUEUED → SENDING) the due rows among ``notification_ids`` and, if ``take_along``
    and the batch (``NOTIFICATION_BATCH_SIZE``) has room, other due rows already published,
    oldest first; returns them loaded, recipient included, attempts counted.

    One transaction: a locking read that skips rows another worker holds, then the move of
    exactly the rows read. On SQLite, which has no row locks, every transaction takes the
    write lock when it begins (``transaction_mode`` IMMEDIATE), so two claims run one after
    the other and the second finds the first's rows SENDING.
    """
    limit = batch_size()
    now = timezone.now()
    due = Notification.objects.filter(status=NotificationStatus.QUEUED, send_after__lte=now)
    wanted = Q(pk__in=list(notification_ids))
    if take_along:
        wanted |= Q(enqueued_at__isnull=False)
    if not due.filter(wanted).exists():
        # One query, no transaction, for the usual end of a message whose rows a batch took along.
        return []
    with transaction.atomic():
        claimed = list(
            due.filter(pk__in=list(notification_ids))
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if take_along and len(claimed) < limit:
            claimed += (
                due.filter(enqueued_at__isnull=False)
                .exclude(pk__in=claimed)
                .select_for_update(skip_locked=True)
                .order_by("send_after", "pk")
                .values_list("pk", flat=True)[: limit - len(claimed)]
            )
        if not claimed:
            return []
        OUTBOX.move_many(
            Notification.objects.filter(pk__in=claimed),
            NotificationStatus.SENDING,
            at=now,
            fields={"attempts": F("attempts") + 1, "claimed_at": now},
        )
    return list(Notification.objects.select_related("recipient").filter(pk__in=claimed).order_by("pk"))


def notification_deliver_rows(rows: Sequence[Notification]) -> dict[int, str]:
    """Render and send claimed rows, one SMTP connection for all; returns each row's outcome
    (``sent``, ``retry``, ``failed`` or ``released``).

    Each row is marked SENT the moment its channel has taken it, so a worker lost mid-batch
    leaves at most the one message in flight both sent and not marked. An exception that
    ends the batch early (a lost database, the soft time limit) leaves the row in flight
    SENDING for the sweeper, since it may have gone out, and hands every row not yet tried
    back to the queue. Rows a transient error sends back are published again, grouped by
    their back-off.
    """
    if not rows:
        return {}
    outcomes: dict[int, str] = {}
    retries: dict[int, list[int]] = defaultdict(list)
    deadline = time.monotonic() + _batch_seconds()
    session = DeliverySession()
    done = 0  # rows[:done] are sent or recorded as failed; rows[done] is in flight
    try:
        with _commits_without_waiting_for_the_disk():
            while done < len(rows) and time.monotonic() <= deadline:
                row = rows[done]
                outcomes[row.pk], countdown = _deliver_one(row, session)
                if countdown is not None:
                    retries[countdown].append(row.pk)
                done += 1
    except BaseException:
        _release(rows[done + 1 :])
        raise
    finally:
        session.close()
    outcomes.update(_release(rows[done:]))  # what the deadline left untried
    for countdown, ids in retries.items():
        try:
            notification_deliver.apply_async((ids,), countdown=countdown)
        except Exception:  # the broker is down: the sweeper publishes them once due
            logger.exception("Could not publish %s notification(s) for their retry", len(ids))
    return outcomes


@contextlib.contextmanager
def _commits_without_waiting_for_the_disk() -> Iterator[None]:
    """While a batch records its rows, let each commit return without waiting for PostgreSQL
    to flush it to disk (``synchronous_commit`` off for this connection, until the batch ends).

    The SENT mark is the one write per message, and waiting for the flush cost more than
    rendering and sending the message. Such a commit is visible at once and survives the
    worker being killed; only a crash of the database server itself may undo the last
    fraction of a second of them, and always the latest ones, so the outbox is left as it
    was a moment earlier: rows back in SENDING, which the sweeper sends again (a duplicate,
    never a loss). The claim before the batch is flushed as usual. The setting has no ORM
    spelling, hence the SQL; SQLite has no such setting.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        # A connection that broke mid-batch is closed anyway; the error that broke it counts.
        with contextlib.suppress(Error), connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _deliver_one(row: Notification, session: DeliverySession) -> tuple[str, int | None]:
    """Send one claimed row and record the outcome; returns it and, for a retry, its back-off."""
    try:
        message = render_message(kind=row.kind, context=row.context, language=row.language, recipient=row.recipient)
        provider_message_id = SENDERS[Channel(row.channel)](row, message, session) or ""
    except SoftTimeLimitExceeded:
        raise
    except TRANSIENT_ERRORS as exc:
        session.discard_mail_connection()
        return _after_failure(row, exc, transient=True)
    except Exception as exc:  # PermanentDeliveryError, or a template or programming error
        session.discard_mail_connection()
        return _after_failure(row, exc, transient=False)
    now = timezone.now()
    # SENDING, or QUEUED if the sweeper wrongly judged this worker dead: either way it is sent now,
    # and marking it SENT stops the sweeper's copy from sending it again.
    OUTBOX.move_many(
        Notification.objects.filter(pk=row.pk),
        NotificationStatus.SENT,
        at=now,
        fields={
            "subject": message.subject,
            "body": message.text,
            "last_error": "",
            "sent_at": now,
            "provider_message_id": provider_message_id[:100],
        },
    )
    return "sent", None


def _after_failure(row: Notification, exc: Exception, *, transient: bool) -> tuple[str, int | None]:
    now = timezone.now()
    error = f"{type(exc).__name__}: {exc}"[:2000]
    final = not transient or row.attempts >= getattr(settings, "NOTIFICATION_MAX_ATTEMPTS", 6)
    if final:
        OUTBOX.move_many(
            Notification.objects.filter(pk=row.pk), NotificationStatus.FAILED, at=now, fields={"last_error": error}
        )
        logger.error("Notification %s failed for good after %s attempt(s): %s", row.pk, row.attempts, error)
        return "failed", None
    countdown = retry_countdown(row.attempts)
    retry_at = now + dt.timedelta(seconds=countdown)
    OUTBOX.move_many(
        Notification.objects.filter(pk=row.pk, status=NotificationStatus.SENDING),
        NotificationStatus.QUEUED,
        at=now,
        fields={"last_error": error, "send_after": retry_at, "enqueued_at": retry_at},
    )
    logger.warning("Notification %s attempt %s failed (%s); retrying in %ss", row.pk, row.attempts, error, countdown)
    return "retry", countdown


def _release(rows: Sequence[Notification]) -> dict[int, str]:
    """Hand claimed rows that were not tried back to the queue, their attempt not counted,
    and publish them again (or leave them to the sweeper if the broker is down)."""
    ids = [row.pk for row in rows]
    if not ids:
        return {}
    OUTBOX.move_many(
        Notification.objects.filter(pk__in=ids, status=NotificationStatus.SENDING),
        NotificationStatus.QUEUED,
        fields={"attempts": F("attempts") - 1, "claimed_at": None, "enqueued_at": None},
    )
    notification_publish(notification_ids=ids)
    return dict.fromkeys(ids, "released")


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def notification_deliver(self, notification_ids: list[int]) -> dict[str, int]:
    """Deliver a batch: the rows named and, with room to spare, other due rows; returns how
    many rows had each outcome."""
    rows = notification_claim(notification_ids=notification_ids, take_along=True)
    outcomes = notification_deliver_rows(rows)
    counts: dict[str, int] = defaultdict(int)
    for outcome in outcomes.values():
        counts[outcome] += 1
    return dict(counts)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def notification_send(self, notification_id: int) -> str:
    """Deliver one row and nothing else (``sent``, ``retry``, ``failed`` or ``skipped``).

    Broker messages published before rows travelled in batches name this task."""
    rows = notification_claim(notification_ids=[notification_id], take_along=False)
    if not rows:
        return "skipped"
    return notification_deliver_rows(rows)[notification_id]


def notification_publish(*, notification_ids: Iterable[int]) -> int:
    """Hand rows to the broker (one message per batch of ids) and record when; returns how
    many rows.

    Called after commit and by the sweeper. A broker that is down is logged, not raised:
    the rows stay QUEUED and the sweeper publishes them again later.
    """
    ids = list(notification_ids)
    size = batch_size()
    published: list[int] = []
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        try:
            notification_deliver.apply_async((batch,))
        except Exception:  # the broker is down: the sweeper will try again
            logger.exception("Could not publish %s notification(s); the sweeper will retry", len(batch))
            break
        published += batch
    now = timezone.now()
    for batch in id_batches(published):
        Notification.objects.filter(pk__in=batch, status=NotificationStatus.QUEUED).update(enqueued_at=now)
    return len(published)


def notification_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Rescue rows whose broker message or worker was lost, and publish held rows now due.

    * SENDING for longer than ``NOTIFICATION_STUCK_AFTER_SECONDS``: the worker died between
      claim and result; the row goes back to QUEUED (the message may then be delivered a
      second time — the one in flight — which is the price of never losing it);
    * QUEUED, due, and not published within that time (or never: a held announcement):
      published again. A duplicate broker message is harmless, the claim lets one through.
    """
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=getattr(settings, "NOTIFICATION_STUCK_AFTER_SECONDS", 600))
    batch = getattr(settings, "NOTIFICATION_SWEEP_BATCH", 2000)
    rescued = OUTBOX.move_many(
        Notification.objects.filter(status=NotificationStatus.SENDING, claimed_at__lt=stale),
        NotificationStatus.QUEUED,
        at=now,
        fields={"enqueued_at": None},
    )
    due = list(
        Notification.objects.filter(status=NotificationStatus.QUEUED, send_after__lte=now)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stale))
        .order_by("send_after", "pk")
        .values_list("pk", flat=True)[:batch]
    )
    published = notification_publish(notification_ids=due) if due else 0
    if rescued or published:
        logger.info("Notification sweep: %s rescued from SENDING, %s published", rescued, published)
    return {"rescued": rescued, "published": published}


@shared_task(ignore_result=True)
def notification_sweep_task() -> dict[str, int]:
    """Beat, every minute: see ``notification_sweep``."""
    return notification_sweep()


@shared_task(ignore_result=True)
def notification_hooks_run(cadence: str) -> dict[str, str]:
    """Beat: run the periodic hooks other apps registered for ``cadence`` (see ``hooks.py``)."""
    from .hooks import hooks_run

    return hooks_run(cadence)
