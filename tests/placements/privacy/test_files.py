"""Files holding personal data: they expire, and erasing an account deletes those that hold it."""

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from jinseed.jobs.enums import JobStatus
from jinseed.jobs.models import Job
from jinseed.jobs.tasks import job_files_expire_task
from placements.models import DeletionRequest, Export
from placements.office.exports.services import export_start
from placements.privacy.services.export import personal_data_export_start
from tests.world import build_world

pytestmark = pytest.mark.django_db


def _stored_texts() -> dict[str, str]:
    """Every stored file (private and public storage) as text; ZIPs (xlsx too) member by member."""
    texts = {}
    for root in (Path(settings.PRIVATE_MEDIA_ROOT), Path(settings.MEDIA_ROOT)):
        if not root.exists():
            continue
        for path in root.rglob("*"):
            if not path.is_file():
                continue
            data = path.read_bytes()
            if zipfile.is_zipfile(io.BytesIO(data)):
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    for member in archive.namelist():
                        texts[f"{path}!{member}"] = archive.read(member).decode("utf-8", errors="replace")
            else:
                texts[str(path)] = data.decode("utf-8", errors="replace")
    return texts


def _holding(needles: list[str]) -> list[tuple[str, str]]:
    return sorted((name, n) for name, text in _stored_texts().items() for n in needles if n in text)


def test_erasure_leaves_no_stored_file_holding_the_student(client, django_capture_on_commit_callbacks):
    world = build_world()
    side = world.b
    user = side.student.user
    needles = ["钱二丽", "13922220002", "qian.erli@example.cn", side.id_number]
    side.application.resume.save("resume.pdf", ContentFile("%PDF-1.4 钱二丽 13922220002".encode()), save=True)
    with django_capture_on_commit_callbacks(execute=True):
        for kind, file_format, unmasked in [
            ("applicants", "xlsx", True),
            ("applicants", "csv", False),
            ("placements", "xlsx", False),
            ("alumni", "csv", True),
        ]:
            export_start(
                actor=world.unmasking_staff,
                kind=kind,
                file_format=file_format,
                unmasked=unmasked,
                reason="与学校核对学籍" if unmasked else "",
            )
        side_a_only = export_start(
            actor=world.staff, kind="applicants", file_format="csv", filters={"unit": world.a.unit.pk}
        )
        personal_data_export_start(user=user)
    assert Job.objects.filter(status=JobStatus.SUCCEEDED).exclude(result_file="").count() == 10
    assert {n for _, n in _holding(needles)} == set(needles)
    DeletionRequest.objects.create(user=user, due_at=timezone.now() - dt.timedelta(minutes=1))

    call_command("account_deletions_run")

    assert _holding(needles) == []
    # What never held the student stays: side a's export, and side a's student is still in files.
    side_a_only.job.refresh_from_db()
    assert side_a_only.job.result_file and side_a_only.job.file_deleted_at is None
    assert _holding(["赵一鸣"]) != []
    # The export rows stay, saying when their file went.
    deleted = Export.objects.filter(created_by=world.unmasking_staff).select_related("job")
    assert [(bool(e.job.result_file), e.job.file_deleted_at is not None) for e in deleted] == [(False, True)] * 4


def test_files_expire_after_the_setting_and_the_page_says_when(client, settings, django_capture_on_commit_callbacks):
    settings.EXPORT_FILE_DAYS = 3
    world = build_world()
    with django_capture_on_commit_callbacks(execute=True):
        export = export_start(actor=world.staff, kind="applicants", file_format="csv")
    job = Job.objects.get(pk=export.job_id)
    made = job.finished_at
    assert made - dt.timedelta(seconds=5) < job.file_expires_at - dt.timedelta(days=3) <= made
    client.force_login(world.staff)
    page = client.get(reverse("office_exports:detail", args=[export.pk])).content.decode()
    when = timezone.localtime(job.file_expires_at).strftime("%Y-%m-%d %H:%M")
    assert re.search(f'文件将于 <time datetime="[^"]+">{when}</time>', page)
    path = Path(job.result_file.path)

    Job.objects.filter(pk=job.pk).update(file_expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert job_files_expire_task.delay().get() == 1

    job.refresh_from_db()
    assert (job.result_file.name, path.exists(), job.status) == ("", False, JobStatus.SUCCEEDED)
    page = client.get(reverse("office_exports:detail", args=[export.pk])).content.decode()
    gone = timezone.localtime(job.file_deleted_at).strftime("%Y-%m-%d %H:%M")
    assert re.search(f'文件已于 <time datetime="[^"]+">{gone}</time>', page)
    assert client.get(reverse("jobs:file", args=[job.pk])).status_code == 404
    # Files still within their days are kept.
    assert world.masked_export_job.file_expires_at is None


def test_the_expiry_task_is_scheduled_by_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["jobs-files-expire"]
    assert entry["task"] == "jinseed.jobs.tasks.job_files_expire_task"


def test_the_admin_job_page_links_the_checked_download(client):
    world = build_world()
    client.force_login(world.staff)

    response = client.get(reverse("admin:jobs_job_change", args=[world.unmasked_export_job.pk]))

    assert response.status_code == 200
    assert f'<a href="{reverse("jobs:file", args=[world.unmasked_export_job.pk])}">' in response.content.decode()
    # The link is checked: this superuser lacks the permission to unmask.
    assert client.get(reverse("jobs:file", args=[world.unmasked_export_job.pk])).status_code == 404
