"""The notification outbox: one row per message to one recipient on one channel.

Lifecycle (see ``enums.TRANSITIONS``): a service creates the row QUEUED inside its own
transaction; once it commits, a broker message carries the row's id, with others of a batch,
to ``notification_deliver``, which claims the batch (QUEUED → SENDING in one transaction),
renders and sends each row, and marks each SENT as soon as it has gone. A transient error
puts the row back to QUEUED with a later ``send_after``; the last attempt marks it FAILED.
The sweeper re-publishes rows whose broker message was lost (QUEUED past ``send_after`` and
not published recently) or whose worker died (SENDING for too long), and publishes held rows
once their ``send_after`` has come.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jinseed.errors import DomainError
from jinseed.statemachine import StatusGuarded, StatusMachine

from .enums import TRANSITIONS, Channel, NotificationStatus


class Notification(StatusGuarded):
    # No index of its own: notification_inbox_idx starts with it.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
        db_index=False,
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=60)
    context = models.JSONField(_("context"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    event_key = models.CharField(
        _("event"),
        max_length=200,
        help_text=_("Identifies the event; one live message per recipient, channel and event."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED
    )
    send_after = models.DateTimeField(_("send after"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    # When a broker message for this row was last published, and when a worker last claimed it:
    # the sweeper's evidence that a message or a worker has been lost.
    enqueued_at = models.DateTimeField(_("published to the broker"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed by a worker"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # The provider's id of the message (Alibaba Cloud's BizId, Tencent Cloud's SerialNo): the key
    # to the provider's delivery report when a student says a text never came.
    provider_message_id = models.CharField(_("provider message id"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A cancelled row does not count: a decision that changes back again gets a new message.
            models.UniqueConstraint(
                fields=["recipient", "channel", "event_key"],
                condition=~models.Q(status="cancelled"),
                name="notification_idempotency",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=NotificationStatus.values), name="notification_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(channel__in=Channel.values), name="notification_channel_valid"),
        ]
        indexes = [
            models.Index(fields=["status", "send_after"], name="notification_status_due_idx"),
            models.Index(fields=["recipient", "channel", "-created_at"], name="notification_inbox_idx"),
            models.Index(fields=["event_key"], name="notification_event_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient} ({self.get_channel_display()})"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(models.Model):
    """A user's chosen channels. No row means the defaults: email and the portal inbox.

    The inbox always receives everything (it is the record); decisions always go by email.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    email = models.BooleanField(_("email"), default=True, help_text=_("Decisions are always sent by email."))
    sms = models.BooleanField(_("SMS"), default=False, help_text=_("Short messages to your mobile number."))
    # Recurring kinds (digest, survey, reminders) the user stopped by email, from the
    # preferences page or one click on an email's List-Unsubscribe; the inbox still has them.
    email_muted_kinds = models.JSONField(_("recurring messages not sent by email"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)


class OutboxError(DomainError):
    pass


#: The outbox's state machine (see ``enums.TRANSITIONS``). Its moves are conditional updates
#: (``move_many``), so two workers claiming one row cannot both win; the row's own attempts,
#: ``claimed_at``, ``sent_at`` and ``last_error`` are its audit.
OUTBOX = StatusMachine(model=Notification, transitions=TRANSITIONS, labels=NotificationStatus, error=OutboxError)
