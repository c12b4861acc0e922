"""Delivery of outbox rows. Thin tasks: claim the row, render, send, record."""

import logging

from celery import shared_task
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .enums import Channel, NotificationStatus
from .models import Notification

logger = logging.getLogger(__name__)


def render_notification(row: Notification) -> tuple[str, str, str | None]:
    """Subject, plain text and HTML (or None) of ``row`` in its recipient's language."""
    ctx = {**row.context, "recipient": row.recipient}
    with translation.override(row.language):
        subject = " ".join(render_to_string(f"notifications/{row.kind}/subject.txt", ctx).split())
        text = render_to_string(f"notifications/{row.kind}/body.txt", ctx)
        try:
            html = render_to_string(f"notifications/{row.kind}/body.html", ctx)
        except Exception:  # noqa: BLE001 - an HTML part is optional
            html = None
    return subject, text, html


@shared_task(bind=True, acks_late=True, max_retries=6)
def notification_send(self, notification_id: int) -> str:
    with transaction.atomic():
        claimed = Notification.objects.filter(
            pk=notification_id, status=NotificationStatus.QUEUED, send_after__lte=timezone.now()
        ).update(status=NotificationStatus.SENDING, attempts=F("attempts") + 1, updated_at=timezone.now())
    if not claimed:
        return "skipped"
    row = Notification.objects.select_related("recipient").get(pk=notification_id)
    try:
        subject, text, html = render_notification(row)
        if row.channel == Channel.EMAIL:
            msg = EmailMultiAlternatives(subject=subject, body=text, to=[row.recipient.email])
            if html:
                msg.attach_alternative(html, "text/html")
            msg.send()
        elif row.channel == Channel.SMS:
            from .sms import get_sms_backend

            get_sms_backend().send(row.recipient.mobile, text)
    except Exception as exc:  # noqa: BLE001 - any delivery error is recorded and retried
        final = self.request.retries >= self.max_retries
        Notification.objects.filter(pk=row.pk).update(
            status=NotificationStatus.FAILED if final else NotificationStatus.QUEUED,
            last_error=str(exc)[:2000],
            updated_at=timezone.now(),
        )
        if final:
            logger.exception("Notification %s failed for good", row.pk)
            return "failed"
        raise self.retry(exc=exc, countdown=min(60 * 2**self.request.retries, 3600)) from exc
    Notification.objects.filter(pk=row.pk).update(
        status=NotificationStatus.SENT, subject=subject[:200], body=text, sent_at=timezone.now(),
        updated_at=timezone.now(),
    )
    return "sent"

