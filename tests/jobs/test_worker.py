"""A job through the real broker and a real worker process (solo pool) on the PostgreSQL test
database: the page sees its progress while the work is still inside its transaction."""

import os

import pytest
from django.db import connection

from jinseed.devtools.bench.outbox import Worker, free_port, wait_for
from jinseed.jobs.enums import JobStatus
from jinseed.jobs.models import Job
from jinseed.jobs.services import job_start
from tests.factories import StaffFactory
from tests.jobs import handlers  # noqa: F401 - registers the test kinds

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

#: How long a test waits for the worker to reach a state: generous, for a loaded machine; the
#: waits end as soon as the state is reached.
WAIT = 300


@pytest.fixture
def worker(settings):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process must see the test database: PostgreSQL only")
    process = Worker(
        broker_url=os.environ["CELERY_BROKER_URL"],
        smtp_port=free_port(),
        name="jobs",
        extra_env={"PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT)},
        extra_args=["--include", "tests.jobs.handlers"],
    )
    yield process
    process.stop()


def test_job_through_worker_reports_progress_while_running(worker, tmp_path):
    release = tmp_path / "release"
    params = {"steps": 40, "hold_at": 20, "release": str(release)}
    job = job_start(kind="tests.count", params=params, actor=StaffFactory())

    def held_halfway() -> bool:
        row = Job.objects.get(pk=job.pk)
        return row.progress_done == 20 and not row.is_finished

    # The job waits after 20 steps, inside its transaction, until the page has seen it there.
    assert wait_for(held_halfway, timeout=WAIT, interval=0.05), worker.output()
    release.touch()
    assert wait_for(lambda: Job.objects.get(pk=job.pk).is_finished, timeout=WAIT, interval=0.05), worker.output()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, (job.error, worker.output())
    assert (job.progress_done, job.progress_total) == (40, 40)
    assert job.result == {"counted": 40}


def test_job_failure_through_worker_keeps_the_message(worker):
    job = job_start(kind="tests.refuse", actor=StaffFactory())
    assert wait_for(lambda: Job.objects.get(pk=job.pk).is_finished, timeout=WAIT), worker.output()
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, "工作表第3行单位名称未知。")
