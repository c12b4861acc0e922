"""A student's copy of their data: built by a job, mailed as a link only they can open."""

import io
import json
import time
import zipfile
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from jinseed.audit.models import DataAccess
from jinseed.jobs.models import Job
from jinseed.notifications.models import Notification
from placements.privacy.services.export import JOB_KIND
from tests.world import build_world

pytestmark = pytest.mark.django_db

EXPECTED_FILES = [
    "profile.json",
    "applications.json",
    "interviews.json",
    "offers.json",
    "placements.json",
    "assessments.json",
    "certificates.json",
    "feedback.json",
    "notifications.json",
    "consents.json",
]


@pytest.fixture
def world(db):
    return build_world()


def _export(client, user, capture) -> tuple[str, bytes]:
    client.force_login(user)
    with capture(execute=True):
        response = client.post(reverse("privacy:copy_request"))
    assert response.status_code == 302
    mailed = Notification.objects.get(recipient=user, kind="personal_data_ready", channel="email")
    url = mailed.context["url"]
    download = client.get(url)
    assert download.status_code == 200
    return url, b"".join(download.streaming_content)


def test_copy_is_a_zip_of_the_listed_files_and_the_resume(client, world, django_capture_on_commit_callbacks):
    application = world.a.application
    application.resume.save("resume.pdf", ContentFile(b"%PDF-1.4 A's resume"), save=False)
    type(application).objects.filter(pk=application.pk).update(resume=application.resume.name)
    _, content = _export(client, world.a.student.user, django_capture_on_commit_callbacks)
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert archive.namelist() == [*EXPECTED_FILES, f"resumes/application-{application.pk}.pdf"]
    assert archive.read(f"resumes/application-{application.pk}.pdf") == b"%PDF-1.4 A's resume"
    profile = json.loads(archive.read("profile.json"))
    assert profile["profile"]["legal_name"] == "赵一鸣"
    assert profile["profile"]["id_number"] == "*" * 14 + world.a.id_number[-4:]
    assert profile["account"]["mobile"] == "13911110001"
    applications = json.loads(archive.read("applications.json"))
    assert sorted(a["id"] for a in applications) == sorted([world.a.application.pk, world.a.shortlisted.pk])
    assert [c["grade"] for c in json.loads(archive.read("certificates.json"))] == ["良好"]
    assert [f["text"] for f in json.loads(archive.read("feedback.json"))] == ["A同学的座谈会意见"]
    assert [(c["version"], c["withdrawn_at"]) for c in json.loads(archive.read("consents.json"))] == [
        ("2026-1", None),
        ("2026-1", None),
    ]
    assert "A带教老师的考核评语" in archive.read("assessments.json").decode()


def test_copy_holds_nothing_of_another_student_nor_the_clear_id_number(
    client, world, django_capture_on_commit_callbacks
):
    _, content = _export(client, world.a.student.user, django_capture_on_commit_callbacks)
    archive = zipfile.ZipFile(io.BytesIO(content))
    text = "".join(archive.read(name).decode() for name in EXPECTED_FILES)
    leaked = [secret for secret in world.b.secrets if secret in text]
    assert leaked == []
    assert world.a.id_number not in text


def test_copy_is_recorded_in_the_access_log(client, world, django_capture_on_commit_callbacks):
    user = world.a.student.user
    _export(client, user, django_capture_on_commit_callbacks)
    job = Job.objects.exclude(pk=world.a.copy_job.pk).get(kind=JOB_KIND, created_by=user)
    record = DataAccess.objects.get(kind=DataAccess.Kind.PERSONAL_DATA)
    assert (record.actor, record.subject, record.filters, record.masked) == (
        user,
        f"账户 {user.pk} 本人的个人数据副本",
        {"user_id": user.pk, "job_id": job.pk},
        True,
    )


def test_link_opens_only_for_its_owner(client, world, django_capture_on_commit_callbacks):
    url, _ = _export(client, world.a.student.user, django_capture_on_commit_callbacks)
    client.force_login(world.b.student.user)
    assert client.get(url).status_code == 404
    client.force_login(world.staff)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_link_expires_after_seven_days(client, world, django_capture_on_commit_callbacks):
    user = world.a.student.user
    url, _ = _export(client, user, django_capture_on_commit_callbacks)
    with mock.patch("django.core.signing.time.time", return_value=time.time() + 6 * 86400):
        assert client.get(url).status_code == 200
    with mock.patch("django.core.signing.time.time", return_value=time.time() + 7 * 86400 + 60):
        assert client.get(url).status_code == 404


def test_tampered_link_is_refused(client, world, django_capture_on_commit_callbacks):
    url, _ = _export(client, world.a.student.user, django_capture_on_commit_callbacks)
    assert client.get(url[:-2] + "x/").status_code == 404
