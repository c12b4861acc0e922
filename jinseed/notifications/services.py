"""The outbox API used by every app: queue a message inside the caller's transaction.

A caller passes a recipient, a ``kind`` (which names the templates under
``templates/notifications/<kind>/``), a JSON-serialisable context and an ``event_key``
unique per event; the same key for the same recipient and channel never makes a second
row, so a retried service call cannot send twice. Delivery happens in ``tasks.py`` once the
transaction commits.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .enums import Channel, NotificationStatus
from .models import Notification


def _channels_for(recipient, requested: Iterable[str] | None) -> list[str]:
    channels = list(requested) if requested else [Channel.EMAIL, Channel.INBOX]
    return list(dict.fromkeys(channels))


def notification_queue(
    *,
    recipient,
    kind: str,
    context: dict,
    event_key: str,
    channels: Iterable[str] | None = None,
    send_after: datetime | None = None,
) -> list[Notification]:
    """Create one outbox row per channel and enqueue delivery when the transaction commits."""
    from .tasks import notification_send

    rows = []
    for channel in _channels_for(recipient, channels):
        try:
            with transaction.atomic():
                row = Notification.objects.create(
                    recipient=recipient,
                    channel=channel,
                    kind=kind,
                    context=context,
                    language=getattr(recipient, "language", "zh-hans") or "zh-hans",
                    event_key=event_key,
                    send_after=send_after or timezone.now(),
                )
        except IntegrityError:
            continue  # already queued for this event: idempotent
        rows.append(row)
        if row.send_after <= timezone.now():
            transaction.on_commit(lambda pk=row.pk: notification_send.delay(pk))
    return rows


def notification_cancel(*, recipient=None, event_key_prefix: str) -> int:
    """Cancel queued rows whose event has been superseded; returns how many were cancelled."""
    qs = Notification.objects.filter(status=NotificationStatus.QUEUED, event_key__startswith=event_key_prefix)
    if recipient is not None:
        qs = qs.filter(recipient=recipient)
    return qs.update(status=NotificationStatus.CANCELLED, updated_at=timezone.now())
