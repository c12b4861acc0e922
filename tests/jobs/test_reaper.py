"""A job whose worker is lost is found by its lease: the reaper ends it INTERRUPTED."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from jinseed.jobs.enums import JobStatus
from jinseed.jobs.models import Job
from jinseed.jobs.services import JobContext, job_start, job_transition, jobs_reap_interrupted
from jinseed.jobs.tasks import jobs_reap_task
from tests.jobs import handlers  # noqa: F401 - registers the test kinds

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 20, 10, 0, tzinfo=datetime.UTC)


def _running(actor, *, heartbeat_seconds_ago: int, language: str = "zh-hans") -> Job:
    with translation.override(language):
        job = job_start(kind="tests.count", params={"steps": 5}, actor=actor)
    job_transition(job=job, to_status=JobStatus.RUNNING)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=NOW - datetime.timedelta(seconds=heartbeat_seconds_ago))
    job.refresh_from_db()
    return job


def test_reaper_interrupts_a_running_job_whose_lease_lapsed(settings, staff_user):
    settings.JOBS_LEASE_SECONDS = 180
    stale = _running(staff_user, heartbeat_seconds_ago=181)
    english = _running(staff_user, heartbeat_seconds_ago=600, language="en")
    alive = _running(staff_user, heartbeat_seconds_ago=179)
    assert jobs_reap_interrupted(now=NOW) == 2
    for job in (stale, english, alive):
        job.refresh_from_db()
    assert (stale.status, stale.error) == (JobStatus.INTERRUPTED, "任务在完成前中断，请重新开始。")
    assert (english.status, english.error) == (
        JobStatus.INTERRUPTED,
        "The job was interrupted before it finished. Start it again.",
    )
    assert (alive.status, alive.error) == (JobStatus.RUNNING, "")
    assert jobs_reap_interrupted(now=NOW) == 0


def test_reaper_leaves_queued_and_finished_jobs_alone(settings, staff_user):
    settings.JOBS_LEASE_SECONDS = 60
    queued = job_start(kind="tests.count", params={"steps": 1}, actor=staff_user)
    done = _running(staff_user, heartbeat_seconds_ago=3600)
    job_transition(job=done, to_status=JobStatus.SUCCEEDED)
    Job.objects.filter(pk=queued.pk).update(created_at=NOW - datetime.timedelta(hours=5))
    assert jobs_reap_interrupted(now=NOW) == 0
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.QUEUED, JobStatus.SUCCEEDED}


def test_reaper_task_uses_the_lease_setting(settings, staff_user):
    settings.JOBS_LEASE_SECONDS = 60
    job = _running(staff_user, heartbeat_seconds_ago=0)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(seconds=61))
    assert jobs_reap_task.apply().get() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.INTERRUPTED


@pytest.mark.django_db(transaction=True)  # on PostgreSQL progress is written on a second connection
def test_claim_and_progress_renew_the_lease(staff_user):
    job = Job.objects.create(kind="tests.count", created_by=staff_user)  # nothing published
    job_transition(job=job, to_status=JobStatus.RUNNING)
    claimed = Job.objects.get(pk=job.pk).heartbeat_at
    assert claimed is not None
    Job.objects.filter(pk=job.pk).update(heartbeat_at=NOW)
    context = JobContext(Job.objects.get(pk=job.pk), min_interval=0)
    context.set_total(5)
    assert Job.objects.get(pk=job.pk).heartbeat_at > NOW


def test_interrupted_job_shows_its_state_and_message(client, staff_user):
    job = _running(staff_user, heartbeat_seconds_ago=3600)
    jobs_reap_interrupted(now=NOW)
    client.force_login(staff_user)
    payload = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert (payload["status"], payload["status_label"], payload["finished"], payload["succeeded"]) == (
        "interrupted",
        "已中断",
        True,
        False,
    )
    assert payload["error"] == "任务在完成前中断，请重新开始。"
    assert payload["interrupted"] is True


def test_a_stalled_worker_that_wakes_after_the_reaper_leaves_the_job_interrupted(settings, staff_user):
    from jinseed.jobs.services import _end

    job = _running(staff_user, heartbeat_seconds_ago=3600)
    jobs_reap_interrupted(now=NOW)
    assert _end(job, JobStatus.SUCCEEDED, result={"counted": 5}) == "interrupted"
    job.refresh_from_db()
    assert (job.status, job.result) == (JobStatus.INTERRUPTED, {})
