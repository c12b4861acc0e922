"""Reads of the outbox used by the inbox pages, the nav badge and the admin."""

from django.db.models import Count, QuerySet

from jinseed.accounts.models import User

from .enums import Channel, NotificationStatus
from .models import Notification, NotificationPreference


def inbox_for_user(*, user: User) -> QuerySet[Notification]:
    """The user's portal inbox: delivered inbox messages, newest first."""
    return Notification.objects.filter(recipient=user, channel=Channel.INBOX, status=NotificationStatus.SENT).order_by(
        "-sent_at", "-id"
    )


def inbox_unread_count(*, user: User) -> int:
    return inbox_for_user(user=user).filter(read_at__isnull=True).count()


def outbox_counts_by_status() -> dict[str, int]:
    counts = dict(Notification.objects.values_list("status").annotate(n=Count("id")).order_by())
    return {status: counts.get(status, 0) for status in NotificationStatus.values}


def notification_preference_of(*, user: User) -> NotificationPreference:
    """The user's channel choices, or an unsaved default one (email and SMS on)."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)
