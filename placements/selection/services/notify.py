"""The selection's messages: event keys, contexts, and queueing through the outbox."""

import datetime as dt
from typing import Any

from applicants.models import Application
from jinseed.accounts.models import User
from jinseed.notifications.models import Notification
from positions.models import Cycle, HostUnit


def notify(
    *,
    recipient: User,
    kind: str,
    context: dict[str, Any],
    event_key: str,
    replaces: str | None = None,
    send_after: dt.datetime | None = None,
) -> list[Notification]:
    """Queue a message through the outbox, inside the caller's transaction.

    The outbox validates ``kind`` and ``context`` against ``jinseed.notifications.kinds``: a
    caller's mistake raises (and rolls the decision back) instead of losing the message.
    With ``replaces``, queued messages under that key prefix are cancelled first.
    """
    from jinseed.notifications.services import notification_queue, notification_replace

    if replaces is None:
        return notification_queue(
            recipient=recipient, kind=kind, context=context, event_key=event_key, send_after=send_after
        )
    return notification_replace(
        recipient=recipient, kind=kind, context=context, event_key=event_key, replaces=replaces, send_after=send_after
    )


def cancel_queued(*, recipient: User | int, prefix: str) -> int:
    """Cancel this recipient's (a user or a user id) queued, unsent messages under ``prefix``."""
    from jinseed.notifications.services import notification_cancel

    return notification_cancel(recipient=recipient, event_key_prefix=prefix)


def was_told(*, recipient: User | int, prefix: str) -> bool:
    """Whether a message under ``prefix`` has gone (or is going) out to ``recipient``."""
    from jinseed.notifications.enums import NotificationStatus
    from jinseed.notifications.models import Notification

    return Notification.objects.filter(
        recipient=recipient,
        event_key__startswith=prefix,
        status__in=[NotificationStatus.SENDING, NotificationStatus.SENT],
    ).exists()


def decision_key_prefix(application_id: int) -> str:
    return f"application:{application_id}:decision:"


def interview_notice_prefix(interview_id: int) -> str:
    return f"interview:{interview_id}:notice:"


def interview_reminder_prefix(interview_id: int) -> str:
    return f"interview:{interview_id}:reminder:"


def not_selected_key(*, cycle_id: int, student_id: int) -> str:
    return f"cycle:{cycle_id}:not_selected:student:{student_id}"


def application_context(application: Application) -> dict[str, Any]:
    return {
        "student_name": application.student.legal_name,
        "post_title": application.post.title,
        "unit_name": application.post.unit.name,
        "url": "/my/selection/",
    }


def release_time(cycle: Cycle, at: dt.datetime) -> dt.datetime | None:
    return cycle.announcement_at if cycle.results_are_held(at) else None


def unit_coordinator_users(unit: HostUnit) -> list[User]:
    return [c.user for c in unit.coordinators.select_related("user") if c.user.is_active]
