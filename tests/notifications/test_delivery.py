"""Delivery in batches: one claim, one SMTP connection and one broker message per batch of
rows, each row still sent once, failing alone and marked SENT the moment the server took it.

The mail goes to a real SMTP server on loopback (the benchmark's aiosmtpd sink); the broker
is the one thing outside, so publishing is recorded rather than sent where a test needs to
see what would be published.
"""

import datetime as dt
import threading

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import connection, transaction
from django.utils import timezone

from jinseed.devtools.bench.outbox import SmtpSink
from jinseed.mail import SmtpBackend
from jinseed.notifications import channels, tasks
from jinseed.notifications.kinds import KINDS, RECURRING_KINDS
from jinseed.notifications.models import Notification
from jinseed.notifications.services import notification_preference_update, notification_queue
from jinseed.notifications.tasks import notification_claim, notification_deliver, notification_publish
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REFUSED = "nobody@example.cn"


class CountingSmtpBackend(SmtpBackend):
    """The production backend, counting the connections it really opens."""

    opened = 0

    def open(self):
        new = super().open()
        if new:
            type(self).opened += 1
        return new


@pytest.fixture
def sink(settings):
    with SmtpSink(refused=frozenset({REFUSED})) as server:
        settings.EMAIL_BACKEND = f"{__name__}.CountingSmtpBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 10
        CountingSmtpBackend.opened = 0
        yield server


@pytest.fixture
def published(monkeypatch):
    """What would be handed to the broker: (ids, countdown) per message."""
    messages: list[tuple[list[int], int | None]] = []

    def record(args, countdown=None, **options):
        messages.append((list(args[0]), countdown))

    monkeypatch.setattr(tasks.notification_deliver, "apply_async", record)
    return messages


def _queue(recipient, key, *, kind="application_shortlisted", channel="email"):
    # Outside ``run_on_commit`` nothing is published: the test hands the ids to the task itself.
    [row] = notification_queue(
        recipient=recipient, kind=kind, context=KINDS[kind].example, event_key=key, channels=[channel]
    )
    return row


def _states(ids):
    rows = Notification.objects.values_list("pk", "status", "attempts")
    states = {pk: (status, attempts) for pk, status, attempts in rows}
    return [states[pk] for pk in ids]


def test_a_batch_sends_each_message_once_over_one_smtp_connection(sink):
    chinese, english = UserFactory(language="zh-hans"), UserFactory(language="en")
    rows = [_queue(user, f"shortlisted:{n}") for n, user in enumerate([chinese, english, chinese, english])]
    rows.append(_queue(english, "recurring", kind=sorted(RECURRING_KINDS)[0]))
    ids = [row.pk for row in rows]

    assert notification_deliver.apply(args=[ids]).get() == {"sent": 5}

    assert dict(sink.received) == dict.fromkeys(ids, 1)
    assert (sink.connections, CountingSmtpBackend.opened) == (1, 1)
    assert _states(ids) == [("sent", 1)] * 5
    subjects = dict(Notification.objects.values_list("pk", "subject"))
    assert [subjects[pk] for pk in ids[:2]] == [  # each in its recipient's language
        "入围面试：团区委青年发展部实习岗",
        "Shortlisted: 团区委青年发展部实习岗",
    ]
    assert b"\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in sink.last_message[ids[4]]
    assert b"List-Unsubscribe" not in sink.last_message[ids[0]]
    assert f"X-Jinseed-Notification: {ids[1]}\r\n".encode() in sink.last_message[ids[1]]


def test_a_refused_address_is_retried_alone_and_the_rest_are_sent(sink, published):
    users = [UserFactory(), UserFactory(email=REFUSED), UserFactory()]
    ids = [_queue(user, f"k{n}").pk for n, user in enumerate(users)]
    before = timezone.now()

    assert notification_deliver.apply(args=[ids]).get() == {"sent": 2, "retry": 1}

    assert dict(sink.received) == {ids[0]: 1, ids[2]: 1}
    assert _states(ids) == [("sent", 1), ("queued", 1), ("sent", 1)]
    refused = Notification.objects.get(pk=ids[1])
    assert refused.last_error == ("SMTPRecipientsRefused: {'nobody@example.cn': (550, b'5.1.1 No such mailbox')}")
    assert before + dt.timedelta(seconds=59) < refused.send_after < timezone.now() + dt.timedelta(seconds=61)
    assert published == [([ids[1]], 60)]

    # The back-off has passed and the mailbox exists now: the retry sends that row and no other.
    sink.refused = frozenset()
    Notification.objects.filter(pk=ids[1]).update(send_after=timezone.now())
    assert notification_deliver.apply(args=[published[0][0]]).get() == {"sent": 1}
    assert dict(sink.received) == dict.fromkeys(ids, 1)
    assert _states(ids) == [("sent", 1), ("sent", 2), ("sent", 1)]


def test_a_crash_mid_batch_duplicates_at_most_the_message_in_flight(sink, published, monkeypatch):
    ids = [_queue(UserFactory(), f"k{n}").pk for n in range(5)]
    sent_by_server = []

    def crashing_after_the_third(row, message, session):
        channels.send_email(row, message, session)
        sent_by_server.append(row.pk)
        if len(sent_by_server) == 3:  # the server has the third message; the worker dies before recording it
            raise SoftTimeLimitExceeded()

    monkeypatch.setitem(tasks.SENDERS, "email", crashing_after_the_third)

    result = notification_deliver.apply(args=[ids])

    assert isinstance(result.result, SoftTimeLimitExceeded)
    assert dict(sink.received) == dict.fromkeys(ids[:3], 1)
    # Sent and recorded; in flight, left to the sweeper; never tried, handed back uncounted.
    assert _states(ids) == [("sent", 1), ("sent", 1), ("sending", 1), ("queued", 0), ("queued", 0)]
    assert published == [(ids[3:], None)]

    assert notification_deliver.apply(args=[published[0][0]]).get() == {"sent": 2}
    Notification.objects.filter(pk=ids[2]).update(claimed_at=timezone.now() - dt.timedelta(hours=1))
    assert tasks.notification_sweep() == {"rescued": 1, "published": 1}
    assert notification_deliver.apply(args=[published[-1][0]]).get() == {"sent": 1}

    assert _states(ids) == [("sent", 1), ("sent", 1), ("sent", 2), ("sent", 1), ("sent", 1)]
    # Only the message in flight when the worker died went out twice.
    assert dict(sink.received) == {ids[0]: 1, ids[1]: 1, ids[2]: 2, ids[3]: 1, ids[4]: 1}


def test_a_batch_takes_along_due_published_rows_only(recipient):
    own, published_row, unpublished, held = (_queue(recipient, key, channel="inbox") for key in "abcd")
    now = timezone.now()
    Notification.objects.filter(pk__in=[published_row.pk, held.pk]).update(enqueued_at=now)
    Notification.objects.filter(pk=held.pk).update(send_after=now + dt.timedelta(hours=1))

    assert notification_deliver.apply(args=[[own.pk]]).get() == {"sent": 2}

    ids = [own.pk, published_row.pk, unpublished.pk, held.pk]
    assert _states(ids) == [("sent", 1), ("sent", 1), ("queued", 0), ("queued", 0)]


def test_publish_sends_one_broker_message_per_batch(recipient, settings, published):
    settings.NOTIFICATION_BATCH_SIZE = 2
    ids = [_queue(recipient, f"k{n}", channel="inbox").pk for n in range(5)]

    assert notification_publish(notification_ids=ids) == 5

    assert published == [(ids[0:2], None), (ids[2:4], None), (ids[4:], None)]
    assert Notification.objects.filter(pk__in=ids, enqueued_at__isnull=True).count() == 0


def test_the_sms_channel_sends_each_message_of_a_batch(settings):
    from jinseed.notifications.sms import LocmemSmsBackend

    settings.SMS_BACKEND = "jinseed.notifications.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    users = [UserFactory(mobile=f"1391234567{n}", language="en") for n in range(3)]
    for user in users:
        notification_preference_update(user=user, email=True, sms=True)
    ids = [_queue(user, "sms", kind="interview_reminder_1h", channel="sms").pk for user in users]

    assert notification_deliver.apply(args=[ids]).get() == {"sent": 3}

    assert sorted(mobile for mobile, _text in LocmemSmsBackend.outbox) == [u.mobile for u in users]
    assert _states(ids) == [("sent", 1)] * 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_never_take_one_row_twice(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: real concurrent connections")
    settings.NOTIFICATION_BATCH_SIZE = 4
    user, now = UserFactory(), timezone.now()
    # Written directly: outside a transaction, queueing would publish (and here deliver) at once.
    rows = Notification.objects.bulk_create(
        Notification(recipient=user, kind="application_received", channel="inbox", event_key=f"k{n}", enqueued_at=now)
        for n in range(10)
    )
    ids = [row.pk for row in rows]
    holding, release = threading.Event(), threading.Event()
    first: list[int] = []

    def claim_and_hold():
        try:
            with transaction.atomic():  # the first claim's row locks stay held until this commits
                first.extend(row.pk for row in notification_claim(notification_ids=[], take_along=True))
                holding.set()
                release.wait(timeout=60)
        finally:
            connection.close()

    thread = threading.Thread(target=claim_and_hold)
    thread.start()
    try:
        assert holding.wait(timeout=60)
        with connection.cursor() as cursor:
            # Waiting for the first claim's locks would be the bug: fail instead of waiting.
            cursor.execute("SET lock_timeout = '10s'")
        second = [row.pk for row in notification_claim(notification_ids=ids, take_along=False)]
    finally:
        release.set()
        thread.join()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")

    assert first == ids[:4]
    assert second == ids[4:]
    assert _states(ids) == [("sending", 1)] * 10


def test_rows_a_batch_had_no_time_for_are_handed_back_uncounted(recipient, published, monkeypatch):
    monkeypatch.setattr(tasks, "_batch_seconds", lambda: -1.0)  # the batch's time is up before it starts
    ids = [_queue(recipient, f"k{n}", channel="inbox").pk for n in range(3)]

    assert notification_deliver.apply(args=[ids]).get() == {"released": 3}

    assert _states(ids) == [("queued", 0)] * 3
    assert published == [(ids, None)]


def test_a_batch_leaves_its_connection_flushing_commits_again(recipient):
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    ids = [_queue(recipient, f"k{n}", channel="inbox").pk for n in range(2)]

    assert notification_deliver.apply(args=[ids]).get() == {"sent": 2}

    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)


def test_a_message_whose_rows_are_gone_ends_after_one_query(recipient, django_assert_num_queries):
    row = _queue(recipient, "k", channel="inbox")
    assert notification_deliver.apply(args=[[row.pk]]).get() == {"sent": 1}

    with django_assert_num_queries(1):
        assert notification_deliver.apply(args=[[row.pk]]).get() == {}
