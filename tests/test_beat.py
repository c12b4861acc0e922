"""One beat sends the schedule, however many run (jinseed.beat), and long jobs have their own
queue (CELERY_TASK_ROUTES)."""

import os
import uuid

import pytest

from jinseed.beat import BeatLock, LockedScheduler, _redis_for
from jinseed.celery import app


def test_jobs_are_routed_to_their_own_queue_and_the_rest_to_the_default():
    router = app.amqp.router
    assert router.route({}, "jinseed.jobs.tasks.job_run")["queue"].name == "jobs"
    assert router.route({}, "jinseed.notifications.tasks.notification_send")["queue"].name == "celery"
    # a worker started without -Q consumes both
    assert sorted(app.amqp.queues) == ["celery", "jobs"]


def test_beat_takes_a_lock_only_with_a_redis_broker():
    assert _redis_for("memory://") is None
    assert _redis_for("redis://127.0.0.1:6379/3") is not None


@pytest.fixture
def redis_client():
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis://"):
        pytest.skip("needs CELERY_BROKER_URL=redis://…")
    import redis

    client = redis.Redis.from_url(url)
    yield client
    client.close()


@pytest.mark.broker
def test_only_one_beat_holds_the_lock_until_it_lets_go(redis_client):
    name = f"jinseed:test:beat:{uuid.uuid4().hex}"
    first = BeatLock(redis_client, seconds=30, name=name)
    second = BeatLock(redis_client, seconds=30, name=name)
    assert first.held() is True
    assert second.held() is False
    assert first.held() is True  # renewed by its owner
    assert 0 < redis_client.pttl(name) <= 30_000
    first.release()
    assert second.held() is True
    assert first.held() is False
    second.release()
    assert redis_client.exists(name) == 0


@pytest.mark.broker
def test_a_lapsed_lock_passes_to_another_beat(redis_client):
    name = f"jinseed:test:beat:{uuid.uuid4().hex}"
    stalled = BeatLock(redis_client, seconds=30, name=name)
    other = BeatLock(redis_client, seconds=30, name=name)
    assert stalled.held() is True
    redis_client.delete(name)  # what the lapse of its time does
    assert other.held() is True
    assert stalled.held() is False  # it cannot renew a lock that is no longer its own
    other.release()


@pytest.mark.broker
def test_standby_beat_sends_nothing(redis_client, tmp_path, settings):
    url = os.environ["CELERY_BROKER_URL"]
    sent: list[str] = []

    def scheduler(name):
        s = LockedScheduler(app=app, schedule_filename=str(tmp_path / name))
        s._beat_lock = BeatLock(redis_client, seconds=30, name=lock_name)
        s.apply_async = lambda entry, producer=None, advance=True, **kw: sent.append((name, entry.name))
        return s

    lock_name = f"jinseed:test:beat:{uuid.uuid4().hex}"
    assert url
    active, standby = scheduler("a"), scheduler("b")
    try:
        for s in (active, standby):
            entry = s.schedule["jobs-reap-interrupted"]
            overdue = entry.last_run_at - entry.schedule.run_every * 2
            s.schedule["jobs-reap-interrupted"] = entry._next_instance(last_run_at=overdue)
        active.tick()
        assert standby.tick() == LockedScheduler.standby_interval
        assert [n for n, e in sent if e == "jobs-reap-interrupted"] == ["a"]
    finally:
        active.close()
        standby.close()
