"""An export whose worker was lost says so and offers to start it again."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from jinseed.jobs.enums import JobStatus
from jinseed.jobs.models import Job
from jinseed.jobs.services import job_transition, jobs_reap_interrupted
from placements.office.exports import services

pytestmark = pytest.mark.django_db


def test_interrupted_export_page_offers_to_start_again(client, world, plain_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the worker takes it, then dies
        export = services.export_start(actor=plain_staff, kind="applicants", file_format="csv")
    job = Job.objects.get(pk=export.job_id)
    job_transition(job=job, to_status=JobStatus.RUNNING)
    assert jobs_reap_interrupted(now=timezone.now() + datetime.timedelta(hours=1)) == 1

    client.force_login(plain_staff)
    page = client.get(reverse("office_exports:detail", args=[export.pk])).content.decode()
    assert 'data-testid="export-interrupted">任务在完成前中断，请重新开始。</div>' in page
    assert f'href="{reverse("office_exports:staff")}" data-testid="export-start-again">重新导出</a>' in page
    assert "export-download" not in page
