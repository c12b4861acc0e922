"""Periodic messages of the selection: offers about to expire, the coordinators' daily digest,
and the offer messages an allocation round still owes.

Registered with ``jinseed.notifications.hooks`` (found like ``admin.py`` modules) and run by
beat: ``frequent`` every 15 minutes, ``daily`` at 07:30 Asia/Shanghai. Each hook runs in its
own transaction and may run twice: the event keys name the offer or the day, so the outbox
never queues the same message twice.

Interview reminders are not here: they are queued with ``send_after`` when the interview is
booked (``services.interview_book``) and replaced when it changes.
"""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from applicants.models import Application
from jinseed.notifications.enums import NotificationStatus
from jinseed.notifications.hooks import periodic_hook
from jinseed.notifications.models import Notification
from jinseed.notifications.services import notification_queue
from placements.models import Interview, Offer
from placements.selection.enums import InterviewStatus, OfferStatus
from placements.selection.services import (
    allocation_offer_messages_pending,
    allocation_offer_messages_queue,
    decision_key_prefix,
)
from positions.models import UnitCoordinator

#: The warning goes out when less than this remains — or a quarter of the offer's validity,
#: when that is shorter (a 48-hour offer is not warned about after 12 hours).
EXPIRY_WARNING = dt.timedelta(hours=24)

DIGEST_KIND = "coordinator_daily_digest"
DIGEST_CHANNELS = ("email", "inbox")


def expiry_warning_window(valid_hours: int) -> dt.timedelta:
    return min(EXPIRY_WARNING, dt.timedelta(hours=valid_hours) / 4)


@periodic_hook("frequent")
def offers_expiring(now: dt.datetime) -> int:
    """Warn each student once whose open offer ends soon; returns how many were queued.

    The key sits under the application's decision prefix, so accepting, declining or a
    lapse cancels a warning that has not gone out yet.
    """
    offers = (
        Offer.objects.filter(status=OfferStatus.OPEN, expires_at__gt=now, expires_at__lte=now + EXPIRY_WARNING)
        .select_related("cycle", "post__unit", "student__user")
        .order_by("expires_at", "pk")
    )
    queued = 0
    for offer in offers:
        if offer.expires_at is None or offer.expires_at - now > expiry_warning_window(offer.cycle.offer_valid_hours):
            continue
        rows = notification_queue(
            recipient=offer.student.user,
            kind="offer_expiring",
            context={
                "student_name": offer.student.legal_name,
                "post_title": offer.post.title,
                "unit_name": offer.post.unit.name,
                "respond_by_at": offer.expires_at.isoformat(),
                "url": reverse("placements:my_selection"),
            },
            event_key=f"{decision_key_prefix(offer.application_id)}offer:{offer.pk}:expiring",
        )
        queued += bool(rows)
    return queued


@periodic_hook("frequent")
def allocation_offer_messages_owed(now: dt.datetime) -> int:
    """Queue the offer messages of confirmed allocation rounds still owing them: the task
    published at the confirmation's commit was lost (broker down, worker killed). Returns how
    many students were told."""
    return sum(allocation_offer_messages_queue(allocation_id=pk) for pk in allocation_offer_messages_pending())


def _digest_since(*, user, today_key: str, now: dt.datetime) -> dt.datetime:
    """The previous digest's time (a day ago when there was none)."""
    previous = (
        Notification.objects.filter(recipient=user, kind=DIGEST_KIND)
        .exclude(status=NotificationStatus.CANCELLED)
        .exclude(event_key=today_key)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return previous or now - dt.timedelta(days=1)


def _digest_key(user_id: int, day: dt.date) -> str:
    return f"digest:{user_id}:{day.isoformat()}"


@periodic_hook("daily")
def coordinator_digests(now: dt.datetime) -> int:
    """Each unit coordinator: new applications since the last digest and interviews held but
    without a recorded outcome. Nothing when both lists are empty; one digest a day."""
    today = timezone.localdate(now)
    sent = 0
    coordinators = UnitCoordinator.objects.filter(user__is_active=True).select_related("user", "unit")
    for coordinator in coordinators.order_by("pk"):
        user, unit = coordinator.user, coordinator.unit
        key = _digest_key(user.pk, today)
        since = _digest_since(user=user, today_key=key, now=now)
        new_applications = [
            {"student_name": app.student.legal_name, "post_title": app.post.title, "submitted_at": app.submitted_at}
            for app in Application.objects.filter(post__unit=unit, submitted_at__gte=since, submitted_at__lt=now)
            .select_related("student", "post")
            .order_by("submitted_at", "pk")
        ]
        pending = [
            {
                "student_name": interview.application.student.legal_name,
                "post_title": interview.application.post.title,
                "starts_at": interview.starts_at,
            }
            for interview in Interview.objects.filter(
                application__post__unit=unit, status=InterviewStatus.SCHEDULED, starts_at__lt=now
            )
            .select_related("application__student", "application__post")
            .order_by("starts_at", "pk")
            if interview.ends_at <= now
        ]
        if not new_applications and not pending:
            continue
        rows = notification_queue(
            recipient=user,
            kind=DIGEST_KIND,
            context={
                "coordinator_name": str(user),
                "unit_name": unit.name,
                "digest_on": today,
                "new_applications": new_applications,
                "interviews_without_outcome": pending,
                "url": reverse("placements:workspace"),
            },
            event_key=key,
            channels=DIGEST_CHANNELS,
        )
        sent += bool(rows)
    return sent
