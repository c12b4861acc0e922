"""A sheet of 2,000 posts: inline without a broker, and through a real worker with its progress bar."""

import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from jinseed.devtools.bench.outbox import Worker, free_port, wait_for
from jinseed.jobs.enums import JobStatus
from jinseed.jobs.models import Job
from positions.enums import PostStatus
from positions.models import Post, PostImport
from tests.factories import CycleFactory, HostUnitFactory, StaffFactory
from tests.positions.sheets import post_row, upload_sheet, workbook_bytes

ROWS = 2000


def _sheet() -> bytes:
    units = [HostUnitFactory(name=f"金山区规模测试单位{n:02d}") for n in range(40)]
    return workbook_bytes([post_row(units[n % 40].name, f"岗位{n:04d}") for n in range(ROWS)])


def _preview_token(client, cycle, data: bytes, status: str) -> str:
    started = time.monotonic()
    response = upload_sheet(
        client, {"cycle": cycle.pk, "target_status": status, "file": SimpleUploadedFile("2000.xlsx", data)}
    )
    assert response.status_code == 200
    assert response.context["preview"].counts == {"create": ROWS, "update": 0, "unchanged": 0, "error": 0}
    print(f"\npost import preview of {ROWS} rows: {time.monotonic() - started:.2f}s")
    return response.context["token"]


@pytest.mark.django_db
@pytest.mark.parametrize("status", [PostStatus.DRAFT, PostStatus.PUBLISHED])
def test_import_of_2000_rows_runs_inline_without_a_broker(client, status, django_capture_on_commit_callbacks):
    client.force_login(StaffFactory())
    cycle = CycleFactory()
    token = _preview_token(client, cycle, _sheet(), status)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:positions_post_import_confirm"), {"token": token})
    seconds = time.monotonic() - started
    post_import = PostImport.objects.select_related("job").get()
    print(f"post import of {ROWS} rows ({status}), inline: {seconds:.2f}s")
    assert post_import.job.status == JobStatus.SUCCEEDED
    assert (post_import.job.progress_done, post_import.job.progress_total) == (ROWS, ROWS)
    assert post_import.rows_created == ROWS
    assert Post.objects.filter(cycle=cycle, status=status).count() == ROWS


@pytest.mark.broker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_import_of_2000_rows_through_a_worker_shows_progress(client, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process must see the test database: PostgreSQL only")
    worker = Worker(
        broker_url=os.environ["CELERY_BROKER_URL"],
        smtp_port=free_port(),
        name="post-import",
        extra_env={"PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT)},
    )
    try:
        client.force_login(StaffFactory())
        cycle = CycleFactory()
        token = _preview_token(client, cycle, _sheet(), PostStatus.PUBLISHED)
        started = time.monotonic()
        response = client.post(reverse("admin:positions_post_import_confirm"), {"token": token})
        post_import = PostImport.objects.get()
        job_id = post_import.job_id
        page = client.get(response["Location"]).content.decode()
        assert f'data-job-status-url="/jobs/{job_id}/status/"' in page
        seen: list[int] = []

        def finished() -> bool:
            status = client.get(reverse("jobs:status", args=[job_id])).json()
            seen.append(status["percent"])
            return status["finished"]

        assert wait_for(finished, timeout=300, interval=0.1), worker.output()
        seconds = time.monotonic() - started
        print(f"post import of {ROWS} rows (published), worker: {seconds:.2f}s; percents seen: {sorted(set(seen))}")
        job = Job.objects.get(pk=job_id)
        assert job.status == JobStatus.SUCCEEDED, (job.error, worker.output())
        assert (job.progress_done, job.progress_total) == (ROWS, ROWS)
        post_import.refresh_from_db()
        assert (post_import.rows_created, post_import.rows_failed) == (ROWS, 0)
        assert Post.objects.filter(cycle=cycle, status=PostStatus.PUBLISHED).count() == ROWS
        assert any(0 < percent < 100 for percent in seen), seen
        done_page = client.get(response["Location"]).content.decode()
        assert "导入完成：新建2000个，更新0个，无变化0个，跳过出错行0行。" in done_page
    finally:
        worker.stop()
