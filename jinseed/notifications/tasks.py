"""Delivery of the outbox: the Celery tasks, publishing to the broker and the sweeper.

``services`` (the API every app calls) queues rows and publishes them through this module;
nothing here imports ``services``. Rendering is in ``rendering``, the channels in ``channels``.

``notification_send`` is idempotent and ``acks_late``: it claims its row with one UPDATE
(QUEUED → SENDING), so a second copy of the broker message — redelivered by Redis, or
published again by the sweeper — finds nothing to claim and does nothing. A transient
error puts the row back to QUEUED with an exponentially later ``send_after`` and retries
then; the attempt numbered ``NOTIFICATION_MAX_ATTEMPTS`` marks it FAILED.
"""

import datetime as dt
import logging
import smtplib
from collections.abc import Iterable

from celery import shared_task
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from .channels import SENDERS
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


def _claim(notification_id: int) -> bool:
    now = timezone.now()
    return bool(
        OUTBOX.move_many(
            Notification.objects.filter(pk=notification_id, send_after__lte=now),
            NotificationStatus.SENDING,
            at=now,
            fields={"attempts": F("attempts") + 1, "claimed_at": now},
        )
    )


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=None)
def notification_send(self, notification_id: int) -> str:
    if not _claim(notification_id):
        return "skipped"
    row = Notification.objects.select_related("recipient").get(pk=notification_id)
    try:
        message = render_message(kind=row.kind, context=row.context, language=row.language, recipient=row.recipient)
        provider_message_id = SENDERS[Channel(row.channel)](row, message) or ""
    except TRANSIENT_ERRORS as exc:
        return _after_failure(self, row, exc, transient=True)
    except Exception as exc:  # PermanentDeliveryError, or a template or programming error
        return _after_failure(self, row, exc, transient=False)
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
    return "sent"


def _after_failure(task, row: Notification, exc: Exception, *, transient: bool) -> str:
    now = timezone.now()
    error = f"{type(exc).__name__}: {exc}"[:2000]
    final = not transient or row.attempts >= getattr(settings, "NOTIFICATION_MAX_ATTEMPTS", 6)
    if final:
        OUTBOX.move_many(
            Notification.objects.filter(pk=row.pk), NotificationStatus.FAILED, at=now, fields={"last_error": error}
        )
        logger.error("Notification %s failed for good after %s attempt(s): %s", row.pk, row.attempts, error)
        return "failed"
    countdown = retry_countdown(row.attempts)
    retry_at = now + dt.timedelta(seconds=countdown)
    OUTBOX.move_many(
        Notification.objects.filter(pk=row.pk, status=NotificationStatus.SENDING),
        NotificationStatus.QUEUED,
        at=now,
        fields={"last_error": error, "send_after": retry_at, "enqueued_at": retry_at},
    )
    logger.warning("Notification %s attempt %s failed (%s); retrying in %ss", row.pk, row.attempts, error, countdown)
    raise task.retry(exc=exc, countdown=countdown)


def notification_publish(*, notification_ids: Iterable[int]) -> int:
    """Hand rows to the broker (one message per row) and record when; returns how many.

    Called after commit and by the sweeper. A broker that is down is logged, not raised:
    the rows stay QUEUED and the sweeper publishes them again later.
    """
    published = []
    for pk in notification_ids:
        try:
            notification_send.apply_async((pk,))
        except Exception:  # the broker is down: the sweeper will try again
            logger.exception("Could not publish notification %s; the sweeper will retry", pk)
            break
        published.append(pk)
    if published:
        Notification.objects.filter(pk__in=published, status=NotificationStatus.QUEUED).update(
            enqueued_at=timezone.now()
        )
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
