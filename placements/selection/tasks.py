"""Periodic selection chores, run by Celery beat (``offers_expire``; docs/features.md).

Thin tasks: the work and its locking are in ``services``; running a task twice is harmless.
"""

from celery import shared_task

from applicants.services import application_publish_held
from placements.selection.services import (
    allocation_offer_messages_queue,
    held_notifications_sync,
    offer_expire_due,
)
from positions.models import Cycle


@shared_task(acks_late=True, ignore_result=True)
def offers_expire() -> int:
    """Publish held decisions whose announcement time has come (their messages too, should
    staff have moved the announcement), start their offers' deadlines, lapse offers past
    their deadline and pass each freed place to the next ranked backup."""
    for cycle in Cycle.objects.filter(announcement_at__isnull=False):
        application_publish_held(cycle=cycle)
    held_notifications_sync()
    return offer_expire_due()


@shared_task(acks_late=True, ignore_result=True)
def allocation_offer_messages(round_id: int) -> int:
    """Queue the offer messages of a confirmed allocation round (published at its commit)."""
    return allocation_offer_messages_queue(allocation_id=round_id)
