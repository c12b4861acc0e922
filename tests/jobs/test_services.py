import datetime as dt

import pytest
from django.utils import timezone, translation

from jinseed.jobs.enums import JobStatus
from jinseed.jobs.models import Job
from jinseed.jobs.services import JobContext, JobError, job_execute, job_start, job_transition
from tests.factories import StaffFactory
from tests.jobs import handlers  # noqa: F401 - registers the test kinds

pytestmark = pytest.mark.django_db


def test_job_start_eager_runs_inline_to_the_end(staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind="tests.count", params={"steps": 250}, actor=staff_user)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.progress_done, job.progress_total) == (250, 250)
    assert job.result == {"counted": 250}
    assert job.percent == 100
    assert job.created_by == staff_user
    assert job.started_at is not None
    assert job.finished_at >= job.started_at


def test_job_start_publishes_nothing_until_commit(staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = job_start(kind="tests.count", params={"steps": 3}, actor=staff_user)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    assert len(callbacks) == 1


def test_job_start_unknown_kind_is_refused(staff_user):
    with pytest.raises(LookupError):
        job_start(kind="tests.nobody", params={}, actor=staff_user)
    assert Job.objects.count() == 0


def test_job_domain_error_fails_with_its_message(staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind="tests.refuse", actor=staff_user)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "工作表第3行单位名称未知。"
    assert (job.progress_done, job.progress_total) == (3, 10)
    assert job.finished_at is not None


def test_job_crash_fails_with_a_message_in_the_starters_language(staff_user, django_capture_on_commit_callbacks):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        english = job_start(kind="tests.crash", actor=staff_user)
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        chinese = job_start(kind="tests.crash", actor=staff_user)
    english.refresh_from_db()
    chinese.refresh_from_db()
    assert (english.status, chinese.status) == (JobStatus.FAILED, JobStatus.FAILED)
    assert english.error == "The job stopped because of an error in the portal. It has been logged; try again."
    assert chinese.error == "任务因系统错误而中止，错误已记录，请重试。"


def test_job_execute_twice_runs_once(staff_user):
    job = job_start(kind="tests.count", params={"steps": 2}, actor=staff_user)
    assert job_execute(job_id=job.pk) == "succeeded"
    assert job_execute(job_id=job.pk) == "skipped"


def test_job_redelivered_while_running_is_interrupted_not_rerun(staff_user):
    job = job_start(kind="tests.count", params={"steps": 2}, actor=staff_user)
    job_transition(job=job, to_status=JobStatus.RUNNING)  # a worker claimed it, then died
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=10))
    assert job_execute(job_id=job.pk) == "interrupted"
    job.refresh_from_db()
    assert job.status == JobStatus.INTERRUPTED
    assert job.error == "任务在完成前中断，请重新开始。"
    assert job.result == {}


def test_job_redelivered_while_its_lease_is_fresh_is_left_to_its_worker(staff_user):
    job = job_start(kind="tests.count", params={"steps": 2}, actor=staff_user)
    job_transition(job=job, to_status=JobStatus.RUNNING)  # a worker has it and renews the lease
    assert job_execute(job_id=job.pk) == "running"
    job.refresh_from_db()
    assert (job.status, job.error, job.progress_done) == (JobStatus.RUNNING, "", 0)


def test_job_transition_refuses_a_finished_job(staff_user):
    job = job_start(kind="tests.count", params={"steps": 1}, actor=staff_user)
    job_execute(job_id=job.pk)
    with pytest.raises(JobError):
        job_transition(job=job, to_status=JobStatus.RUNNING)


def test_job_result_file_is_kept_privately(staff_user, settings):
    job = job_start(kind="tests.report", actor=staff_user)
    job_execute(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result_file.name.startswith("jobs/")
    assert str(settings.PRIVATE_MEDIA_ROOT) in job.result_file.path
    with job.result_file.open("rb") as handle:
        assert handle.read().decode() == "岗位,人数\n"


# Committed rows (``transaction=True``): progress is then written on the job's own connection.
@pytest.mark.django_db(transaction=True)
def test_job_context_writes_progress_at_most_every_percent():
    job = Job.objects.create(kind="tests.count", created_by=StaffFactory())
    now = [0.0]
    context = JobContext(job, clock=lambda: now[0])
    context.set_total(1000)
    for _ in range(1000):
        context.advance()
    context.close()
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total) == (1000, 1000)
    assert context.writes == 1 + 100


@pytest.mark.django_db(transaction=True)
def test_job_context_writes_progress_every_half_second_when_slow():
    job = Job.objects.create(kind="tests.count", created_by=StaffFactory())
    now = [0.0]
    context = JobContext(job, clock=lambda: now[0])
    context.set_total(100_000)
    for _ in range(10):
        now[0] += 0.6
        context.advance()
    context.close()
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total) == (10, 100_000)
    assert context.writes == 1 + 10
