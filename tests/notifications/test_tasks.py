import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.utils import timezone

from jinseed.notifications import tasks
from jinseed.notifications.enums import NotificationStatus
from jinseed.notifications.kinds import KINDS
from jinseed.notifications.models import Notification
from jinseed.notifications.services import notification_queue
from jinseed.notifications.tasks import notification_send, notification_sweep, retry_countdown

pytestmark = pytest.mark.django_db

SHORTLISTED = KINDS["application_shortlisted"].example


def _queued(recipient, *, channels=("email",), send_after=None, key="e"):
    # Outside ``run_on_commit`` nothing is published: the test drives the task itself.
    [row] = notification_queue(
        recipient=recipient,
        kind="application_shortlisted",
        context=SHORTLISTED,
        event_key=key,
        channels=list(channels),
        send_after=send_after,
    )
    return row


def test_send_marks_sent_with_subject_and_text(recipient):
    row = _queued(recipient)
    assert notification_send.apply(args=[row.pk]).get() == "sent"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.subject) == ("sent", 1, "Shortlisted: 团区委青年发展部实习岗")
    assert "has shortlisted your application" in row.body
    assert row.sent_at is not None
    assert len(mail.outbox) == 1


def test_send_twice_delivers_once(recipient):
    row = _queued(recipient)
    assert notification_send.apply(args=[row.pk]).get() == "sent"
    assert notification_send.apply(args=[row.pk]).get() == "skipped"
    assert len(mail.outbox) == 1


def test_send_skips_cancelled_and_not_yet_due(recipient):
    held = _queued(recipient, send_after=timezone.now() + dt.timedelta(hours=1), key="held")
    cancelled = _queued(recipient, key="cancelled")
    Notification.objects.filter(pk=cancelled.pk).update(status=NotificationStatus.CANCELLED)
    assert notification_send.apply(args=[held.pk]).get() == "skipped"
    assert notification_send.apply(args=[cancelled.pk]).get() == "skipped"
    assert len(mail.outbox) == 0


def test_inbox_channel_stores_the_text(recipient):
    row = _queued(recipient, channels=("inbox",))
    notification_send.apply(args=[row.pk])
    row.refresh_from_db()
    assert row.status == "sent"
    assert row.body.startswith("Dear 张晓明,")
    assert len(mail.outbox) == 0


def test_retry_countdown_is_exponential_and_capped(settings):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 60
    assert [retry_countdown(n) for n in range(1, 6)] == [60, 120, 240, 480, 960]
    assert retry_countdown(20) == settings.CELERY_MAX_COUNTDOWN_SECONDS


def test_transient_error_requeues_with_backoff(recipient, monkeypatch):
    def broken(row, message, session):
        raise smtplib.SMTPServerDisconnected("connection lost")

    monkeypatch.setitem(tasks.SENDERS, "email", broken)
    row = _queued(recipient)
    before = timezone.now()
    notification_send.apply(args=[row.pk])
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("queued", 1)
    assert row.last_error == "SMTPServerDisconnected: connection lost"
    assert before + dt.timedelta(seconds=59) < row.send_after < timezone.now() + dt.timedelta(seconds=61)


def test_transient_error_on_last_attempt_fails(recipient, monkeypatch, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3

    def broken(row, message, session):
        raise ConnectionRefusedError("no SMTP server")

    monkeypatch.setitem(tasks.SENDERS, "email", broken)
    row = _queued(recipient)
    for attempt in range(1, 4):
        Notification.objects.filter(pk=row.pk).update(send_after=timezone.now())  # the back-off has passed
        notification_send.apply(args=[row.pk])
        row.refresh_from_db()
        assert row.attempts == attempt
    assert row.status == "failed"
    assert row.last_error == "ConnectionRefusedError: no SMTP server"
    assert notification_send.apply(args=[row.pk]).get() == "skipped"


def test_permanent_error_fails_at_once(recipient):
    recipient.email = ""
    recipient.save()
    row = _queued(recipient)
    notification_send.apply(args=[row.pk])
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error == "PermanentDeliveryError: the recipient has no email address"


def test_sweeper_rescues_a_row_whose_worker_died(recipient, settings):
    settings.NOTIFICATION_STUCK_AFTER_SECONDS = 600
    row = _queued(recipient)
    long_ago = timezone.now() - dt.timedelta(minutes=11)
    Notification.objects.filter(pk=row.pk).update(status="sending", claimed_at=long_ago, attempts=1)
    assert notification_sweep() == {"rescued": 1, "published": 1}
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(mail.outbox) == 1


def test_sweeper_leaves_a_recent_sending_row(recipient):
    row = _queued(recipient)
    Notification.objects.filter(pk=row.pk).update(status="sending", claimed_at=timezone.now(), attempts=1)
    assert notification_sweep() == {"rescued": 0, "published": 0}
    assert len(mail.outbox) == 0


def test_sweeper_republishes_a_lost_broker_message(recipient):
    row = _queued(recipient)
    Notification.objects.filter(pk=row.pk).update(enqueued_at=timezone.now() - dt.timedelta(hours=1))
    assert notification_sweep() == {"rescued": 0, "published": 1}
    row.refresh_from_db()
    assert row.status == "sent"


def test_sweeper_does_not_republish_a_fresh_message(recipient):
    row = _queued(recipient)
    Notification.objects.filter(pk=row.pk).update(enqueued_at=timezone.now())
    assert notification_sweep() == {"rescued": 0, "published": 0}


def test_sweeper_sends_held_announcement_when_due(recipient):
    row = _queued(recipient, send_after=timezone.now() + dt.timedelta(hours=2))
    assert notification_sweep() == {"rescued": 0, "published": 0}
    Notification.objects.filter(pk=row.pk).update(send_after=timezone.now())  # the announcement time has come
    assert notification_sweep() == {"rescued": 0, "published": 1}
    row.refresh_from_db()
    assert row.status == "sent"
    assert len(mail.outbox) == 1


def test_sweeper_task_is_registered_in_beat(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["notifications-sweep"]["task"] == "jinseed.notifications.tasks.notification_sweep_task"
    assert schedule["notifications-sweep"]["schedule"] == 60
    assert tasks.notification_sweep_task.name in tasks.notification_sweep_task.app.tasks


def test_hooks_run_each_registered_hook_and_survive_a_failure(monkeypatch):
    from jinseed.notifications import hooks

    calls = []
    monkeypatch.setattr(hooks, "_HOOKS", {"frequent": {}, "daily": {}})
    # Only this test's hooks: the apps' own notification_hooks modules are not imported here.
    monkeypatch.setattr(hooks, "autodiscover_modules", lambda *names: None)

    @hooks.periodic_hook("daily")
    def good(now):
        calls.append(now)

    @hooks.periodic_hook("daily")
    def bad(now):
        raise RuntimeError("boom")

    outcome = tasks.notification_hooks_run.apply(args=["daily"]).get()
    assert sorted(outcome.values()) == ["failed", "ok"]
    assert len(calls) == 1
