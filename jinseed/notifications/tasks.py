"""Celery tasks of the outbox. Thin: the work is in ``services`` and ``channels``.

``notification_send`` is idempotent and ``acks_late``: it claims its row with one UPDATE
(QUEUED → SENDING), so a second copy of the broker message — redelivered by Redis, or
published again by the sweeper — finds nothing to claim and does nothing. A transient
error puts the row back to QUEUED with an exponentially later ``send_after`` and retries
then; the attempt numbered ``NOTIFICATION_MAX_ATTEMPTS`` marks it FAILED.
"""

import datetime as dt
import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .channels import SENDERS
from .enums import NotificationStatus
from .errors import TransientDeliveryError
from .models import Notification
from .rendering import render_message
from .services import notification_sweep

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
        Notification.objects.filter(pk=notification_id, status=NotificationStatus.QUEUED, send_after__lte=now).update(
            status=NotificationStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now, updated_at=now
        )
    )


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=None)
def notification_send(self, notification_id: int) -> str:
    if not _claim(notification_id):
        return "skipped"
    row = Notification.objects.select_related("recipient").get(pk=notification_id)
    try:
        message = render_message(kind=row.kind, context=row.context, language=row.language, recipient=row.recipient)
        SENDERS[row.channel](row, message)
    except TRANSIENT_ERRORS as exc:
        return _after_failure(self, row, exc, transient=True)
    except Exception as exc:  # PermanentDeliveryError, or a template or programming error
        return _after_failure(self, row, exc, transient=False)
    now = timezone.now()
    # SENDING, or QUEUED if the sweeper wrongly judged this worker dead: either way it is sent now,
    # and marking it SENT stops the sweeper's copy from sending it again.
    Notification.objects.filter(pk=row.pk, status__in=[NotificationStatus.SENDING, NotificationStatus.QUEUED]).update(
        status=NotificationStatus.SENT,
        subject=message.subject,
        body=message.text,
        last_error="",
        sent_at=now,
        updated_at=now,
    )
    return "sent"


def _after_failure(task, row: Notification, exc: Exception, *, transient: bool) -> str:
    now = timezone.now()
    error = f"{type(exc).__name__}: {exc}"[:2000]
    final = not transient or row.attempts >= getattr(settings, "NOTIFICATION_MAX_ATTEMPTS", 6)
    if final:
        Notification.objects.filter(pk=row.pk, status=NotificationStatus.SENDING).update(
            status=NotificationStatus.FAILED, last_error=error, updated_at=now
        )
        logger.error("Notification %s failed for good after %s attempt(s): %s", row.pk, row.attempts, error)
        return "failed"
    countdown = retry_countdown(row.attempts)
    retry_at = now + dt.timedelta(seconds=countdown)
    Notification.objects.filter(pk=row.pk, status=NotificationStatus.SENDING).update(
        status=NotificationStatus.QUEUED, last_error=error, send_after=retry_at, enqueued_at=retry_at, updated_at=now
    )
    logger.warning("Notification %s attempt %s failed (%s); retrying in %ss", row.pk, row.attempts, error, countdown)
    raise task.retry(exc=exc, countdown=countdown)


@shared_task(ignore_result=True)
def notification_sweep_task() -> dict[str, int]:
    """Beat, every minute: see ``services.notification_sweep``."""
    return notification_sweep()


@shared_task(ignore_result=True)
def notification_hooks_run(cadence: str) -> dict[str, str]:
    """Beat: run the periodic hooks other apps registered for ``cadence`` (see ``hooks.py``)."""
    from .hooks import hooks_run

    return hooks_run(cadence)
