"""The outbox survives a worker killed mid-run and a broker restarted without persistence.

A real Celery worker process (solo pool) against a private redis-server, a real SMTP sink
(aiosmtpd) on loopback and the PostgreSQL test database, which the worker reaches through
the same ``test_<name>`` database (the test is transactional, so its rows are committed).
Halfway through 1,000 notifications we SIGKILL the worker (and start another), or restart
Redis; the sweeper (run here every second) then recovers what was lost. Every notification
must reach the sink, at most one twice per kill (the message in flight), every row SENT.
"""

import time

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from jinseed.devtools.bench.outbox import RedisServer, SmtpSink, Worker, broker_for_this_process, wait_for
from jinseed.notifications.enums import NotificationStatus
from jinseed.notifications.kinds import KINDS
from jinseed.notifications.models import Notification
from jinseed.notifications.services import notification_queue
from jinseed.notifications.tasks import notification_sweep
from tests.factories import UserFactory

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

COUNT = 1000
STUCK_AFTER_SECONDS = 4


def _queue_all() -> list[int]:
    users = [UserFactory(email=f"reliable{n}@example.cn", mobile=None, language="en") for n in range(10)]
    context = KINDS["application_received"].example
    ids = []
    for start in range(0, COUNT, 100):
        with transaction.atomic():  # published on commit, 100 at a time
            for n in range(start, start + 100):
                rows = notification_queue(
                    recipient=users[n % 10],
                    kind="application_received",
                    context=context,
                    event_key=f"reliability:{n}",
                    channels=["email"],
                )
                ids.extend(row.pk for row in rows)
    return ids


@pytest.mark.parametrize("failure", ["worker_killed", "redis_restarted"])
def test_every_notification_delivered_once_despite(failure, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process must see the test database: PostgreSQL only")
    if not RedisServer.available():
        pytest.skip("redis-server is not installed")
    settings.NOTIFICATION_STUCK_AFTER_SECONDS = STUCK_AFTER_SECONDS
    worker_env = {"NOTIFICATION_STUCK_AFTER_SECONDS": str(STUCK_AFTER_SECONDS)}
    redis = RedisServer()
    redis.start()
    workers: list[Worker] = []
    kills = 0
    started = time.monotonic()
    try:
        with SmtpSink() as sink, broker_for_this_process(redis.url()):
            ids = _queue_all()
            assert len(ids) == COUNT

            def start_worker():
                worker = Worker(
                    broker_url=redis.url(), smtp_port=sink.port, name=f"w{len(workers)}", extra_env=worker_env
                )
                workers.append(worker)

            start_worker()
            assert wait_for(lambda: sink.total >= COUNT // 2, timeout=300), workers[-1].output()
            if failure == "worker_killed":
                workers[-1].kill()
                kills += 1
                start_worker()
            else:
                redis.restart()  # every message still in the broker is lost

            last_sweep = [0.0]

            def sweep():
                if time.monotonic() - last_sweep[0] >= 1:
                    last_sweep[0] = time.monotonic()
                    notification_sweep()

            def all_sent():
                return not Notification.objects.exclude(status=NotificationStatus.SENT).exists()

            done = wait_for(all_sent, timeout=300, interval=0.5, on_tick=sweep)
            # The last SENT row is committed just after its message reached the sink.
            wait_for(lambda: set(sink.received) >= set(ids), timeout=60)
            received = dict(sink.received)
        seconds = time.monotonic() - started
        lost = len(set(ids) - set(received))
        duplicated = sum(n - 1 for n in received.values())
        statuses = dict(Notification.objects.values_list("status").annotate(n=Count("id")).order_by())
        print(f"\nreliability[{failure}]: count={COUNT} lost={lost} duplicated={duplicated} seconds={seconds:.1f}")
        assert done, (statuses, workers[-1].output())
        assert lost == 0
        assert duplicated <= kills if failure == "worker_killed" else duplicated <= 1
        assert statuses == {NotificationStatus.SENT: COUNT}
        assert Notification.objects.filter(sent_at__gt=timezone.now()).count() == 0
    finally:
        for worker in workers:
            worker.stop()
        redis.stop()
