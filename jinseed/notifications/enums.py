from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    INBOX = "inbox", _("Portal inbox")


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


# The outbox lifecycle. QUEUED → SENDING is the worker's atomic claim; SENDING → QUEUED is a
# transient failure (retried with back-off) or the sweeper rescuing a row whose worker died;
# QUEUED → CANCELLED is a superseded message. SENT, FAILED and CANCELLED are final, except
# that staff may put a FAILED row back in the queue from the admin. QUEUED → SENT is a worker
# finishing a row the sweeper had wrongly judged lost: it is sent, and marking it SENT stops
# the sweeper's copy from sending it again.
TRANSITIONS: dict[NotificationStatus, frozenset[NotificationStatus]] = {
    NotificationStatus.QUEUED: frozenset(
        {NotificationStatus.SENDING, NotificationStatus.CANCELLED, NotificationStatus.SENT}
    ),
    NotificationStatus.SENDING: frozenset(
        {NotificationStatus.SENT, NotificationStatus.QUEUED, NotificationStatus.FAILED}
    ),
    NotificationStatus.SENT: frozenset(),
    NotificationStatus.FAILED: frozenset({NotificationStatus.QUEUED}),
    NotificationStatus.CANCELLED: frozenset(),
}
