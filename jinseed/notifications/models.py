"""The notification outbox: one row per message to one recipient on one channel."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import Channel, NotificationStatus


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=60)
    context = models.JSONField(_("context"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    event_key = models.CharField(_("event"), max_length=200)
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
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "channel", "event_key"], name="notification_idempotency"),
            models.CheckConstraint(
                condition=models.Q(status__in=NotificationStatus.values), name="notification_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "send_after"], name="notification_status_due_idx"),
            models.Index(fields=["recipient", "channel", "-created_at"], name="notification_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient} ({self.channel})"
