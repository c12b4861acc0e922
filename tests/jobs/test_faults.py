"""Background work survives its faults, with a real worker process on the PostgreSQL test
database: a worker killed with SIGKILL mid-job (found by the job's lease) and a Redis server
restarted under a worker that is running a job (the worker stays up and takes the next one)."""

import datetime
import os
import signal
import time

import pytest
from django.db import connection

from jinseed.devtools.bench.outbox import RedisServer, Worker, broker_for_this_process, free_port, wait_for
from jinseed.jobs.enums import JobStatus
from jinseed.jobs.models import Job
from jinseed.jobs.services import job_start, jobs_reap_interrupted
from tests.factories import StaffFactory
from tests.jobs import handlers  # noqa: F401 - registers the test kinds

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_server():
    if connection.vendor != "postgresql":
        pytest.skip("the worker process must see the test database: PostgreSQL only")
    if not RedisServer.available():
        pytest.skip("redis-server is not installed")
    server = RedisServer()
    server.start()
    yield server
    server.stop()


def _worker(settings, redis_server, name, *, pool="prefork", extra_env=None):
    return Worker(
        concurrency=2,
        broker_url=redis_server.url(),
        smtp_port=free_port(),
        name=name,
        pool=pool,
        extra_env={"PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT), **(extra_env or {})},
        extra_args=["--include", "tests.jobs.handlers"],
    )


def _row(job) -> Job:
    return Job.objects.get(pk=job.pk)


def test_job_of_a_killed_worker_is_found_by_its_lease(settings, redis_server):
    settings.JOBS_LEASE_SECONDS = 60
    worker = _worker(settings, redis_server, "lease", pool="solo", extra_env={"JOBS_HEARTBEAT_SECONDS": "1"})
    try:
        with broker_for_this_process(redis_server.url()):
            job = job_start(kind="tests.idle", params={"seconds": 120}, actor=StaffFactory())
        assert wait_for(lambda: _row(job).status == JobStatus.RUNNING, timeout=60), worker.output()
        claimed_at = _row(job).heartbeat_at
        # no progress is reported: the heartbeat thread alone renews the lease
        assert wait_for(lambda: _row(job).heartbeat_at > claimed_at, timeout=30), worker.output()
        os.killpg(worker.process.pid, signal.SIGKILL)  # kill -9: no shutdown, no ack, no last word
        worker.process.wait(timeout=10)
        last_sign = _row(job).heartbeat_at
        time.sleep(3)  # three heartbeats' time: a live worker would have renewed the lease
        row = _row(job)
        assert (row.status, row.heartbeat_at) == (JobStatus.RUNNING, last_sign)
        assert jobs_reap_interrupted(now=last_sign + datetime.timedelta(seconds=59)) == 0
        assert jobs_reap_interrupted(now=last_sign + datetime.timedelta(seconds=61)) == 1
        row = _row(job)
        assert (row.status, row.error) == (JobStatus.INTERRUPTED, "任务在完成前中断，请重新开始。")
    finally:
        worker.stop()


def test_worker_survives_a_redis_restart_during_a_job(settings, redis_server):
    worker = _worker(settings, redis_server, "restart")
    try:
        with broker_for_this_process(redis_server.url()):
            running = job_start(kind="tests.count", params={"steps": 80, "pause": 0.1}, actor=StaffFactory())
            assert wait_for(lambda: _row(running).progress_done >= 20, timeout=60), worker.output()
            redis_server.stop()
            time.sleep(2)
            redis_server.start()
            # the job in flight goes on to its end, and the worker does not exit
            assert wait_for(lambda: _row(running).is_finished, timeout=90), worker.output()
            assert _row(running).status == JobStatus.SUCCEEDED, worker.output()
            assert worker.process.poll() is None, worker.output()
            # ... and takes the next job from the restarted broker
            after = job_start(kind="tests.count", params={"steps": 3}, actor=StaffFactory())
            assert wait_for(lambda: _row(after).is_finished, timeout=90), worker.output()
        assert _row(after).status == JobStatus.SUCCEEDED, worker.output()
        assert worker.process.poll() is None, worker.output()
    finally:
        worker.stop()
