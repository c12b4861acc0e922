"""``bench_notifications`` at a tiny size: a real worker, broker and SMTP sink, every message
delivered once, the batch over one connection."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from jinseed.devtools.bench.outbox import RedisServer
from jinseed.notifications.models import Notification

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_bench_notifications_delivers_each_message_once_over_one_connection(settings):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process must see the test database: PostgreSQL only")
    if not RedisServer.available():
        pytest.skip("redis-server is not installed")
    redis = RedisServer()
    redis.start()
    try:
        settings.CELERY_BROKER_URL = redis.url()
        out = io.StringIO()
        call_command("bench_notifications", count=30, recipients=3, concurrency=1, timeout=120, stdout=out)
    finally:
        redis.stop()
    [queued, delivered] = out.getvalue().splitlines()
    assert queued.startswith("queued 30 in ")
    assert delivered.startswith("delivered=30 in ")
    assert " lost=0 duplicated=0 concurrency=1 smtp_connections=1 load_average=" in delivered
    assert Notification.objects.count() == 0  # the bench's rows are gone
