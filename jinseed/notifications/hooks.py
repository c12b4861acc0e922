"""Periodic notification hooks: how other apps send reminders, expiry warnings and digests.

``jinseed.notifications`` imports none of our apps; it cannot know what an interview or an
offer is. An app that owns such a model registers a function in its own
``notification_hooks.py`` module (found the way ``admin.py`` modules are)::

    # placements/notification_hooks.py
    from jinseed.notifications.hooks import periodic_hook
    from jinseed.notifications.services import notification_queue

    @periodic_hook("daily")
    def coordinator_digests(now):
        for coordinator, context in digest_contexts(now):   # the app's own selectors
            notification_queue(
                recipient=coordinator, kind="coordinator_daily_digest", context=context,
                event_key=f"digest:{coordinator.pk}:{now.date()}", channels=["email", "inbox"],
            )

Beat runs ``notification_hooks_run("frequent")`` every 15 minutes and
``notification_hooks_run("daily")`` at 07:30 Asia/Shanghai (see ``CELERY_BEAT_SCHEDULE``).
Each hook runs in its own transaction; one that raises is logged and does not stop the
others. Hooks must be idempotent (use an ``event_key`` that names the day or the deadline):
beat may run them twice.

Reminders need no hook: queue them when the interview is scheduled, with
``send_after=starts_at - 24h`` (and ``- 1h``) and an event key that names the start time;
on a reschedule, ``notification_cancel(event_key_prefix="interview:7:reminder:")`` and
queue the new ones. The sweeper publishes held rows when they fall due.
"""

import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger(__name__)

CADENCES = ("frequent", "daily")
_HOOKS: dict[str, dict[str, Callable]] = {cadence: {} for cadence in CADENCES}


def periodic_hook(cadence: str):
    if cadence not in CADENCES:
        raise ValueError(f"cadence must be one of {CADENCES}")

    def register(func: Callable) -> Callable:
        _HOOKS[cadence][f"{func.__module__}.{func.__qualname__}"] = func
        return func

    return register


def registered_hooks(cadence: str) -> dict[str, Callable]:
    autodiscover_modules("notification_hooks")
    return dict(_HOOKS[cadence])


def hooks_run(cadence: str, *, now=None) -> dict[str, str]:
    now = now or timezone.now()
    outcome = {}
    for name, func in registered_hooks(cadence).items():
        try:
            with transaction.atomic():
                func(now)
        except Exception:
            logger.exception("Notification hook %s failed", name)
            outcome[name] = "failed"
        else:
            outcome[name] = "ok"
    return outcome
