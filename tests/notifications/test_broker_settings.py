"""The broker settings the outbox's guarantees rest on."""

from django.conf import settings

from jinseed.celery import app
from jinseed.notifications.tasks import notification_send, retry_countdown


def test_visibility_timeout_exceeds_the_longest_countdown():
    longest = max(retry_countdown(n) for n in range(1, settings.NOTIFICATION_MAX_ATTEMPTS + 1))
    assert longest <= settings.CELERY_MAX_COUNTDOWN_SECONDS
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > settings.CELERY_MAX_COUNTDOWN_SECONDS
    assert app.conf.broker_transport_options["visibility_timeout"] == 7200


def test_prefetch_one_and_late_acks():
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert notification_send.acks_late is True


def test_sweeper_never_overtakes_a_live_task():
    assert settings.CELERY_TASK_TIME_LIMIT < settings.NOTIFICATION_STUCK_AFTER_SECONDS
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT
