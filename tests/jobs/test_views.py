import pytest
from django.urls import reverse

from jinseed.accounts.enums import Role
from jinseed.jobs.services import job_execute, job_start
from tests.factories import CoordinatorFactory, StaffFactory, UserFactory
from tests.jobs import handlers  # noqa: F401 - registers the test kinds

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_user(db):
    return CoordinatorFactory().user


def test_job_status_for_its_creator(client, coordinator_user):
    job = job_start(kind="tests.count", params={"steps": 4}, actor=coordinator_user)
    client.force_login(coordinator_user)
    url = reverse("jobs:status", args=[job.pk])
    queued = client.get(url)
    assert queued.status_code == 200
    assert queued["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert queued.json() == {
        "id": job.pk,
        "kind": "tests.count",
        "label": "Count",
        "status": "queued",
        "status_label": "等待开始",
        "text": "等待开始",
        "done": 0,
        "total": 0,
        "percent": 0,
        "finished": False,
        "succeeded": False,
        "interrupted": False,
        "error": "",
        "result": {},
        "has_file": False,
        "file_expires_at": None,
        "file_deleted_at": None,
    }
    job_execute(job_id=job.pk)
    done = client.get(url).json()
    assert (done["status"], done["percent"], done["done"], done["total"]) == ("succeeded", 100, 4, 4)
    assert (done["finished"], done["result"]) == (True, {"counted": 4})


def test_job_status_for_programme_staff(client, coordinator_user):
    job = job_start(kind="tests.count", params={"steps": 1}, actor=coordinator_user)
    client.force_login(StaffFactory())
    assert client.get(reverse("jobs:status", args=[job.pk])).status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "another_coordinator", "student", "staff_flag_without_role"])
def test_job_status_is_404_for_others(client, coordinator_user, who):
    job = job_start(kind="tests.count", params={"steps": 1}, actor=coordinator_user)
    if who == "another_coordinator":
        client.force_login(CoordinatorFactory().user)
    elif who == "student":
        client.force_login(UserFactory(role=Role.STUDENT))
    elif who == "staff_flag_without_role":
        client.force_login(UserFactory(role=Role.MENTOR, is_staff=True))
    assert client.get(reverse("jobs:status", args=[job.pk])).status_code == 404
    assert client.get(reverse("jobs:file", args=[job.pk])).status_code == 404


def test_job_status_of_a_missing_job_is_404(client, staff_user):
    client.force_login(staff_user)
    assert client.get(reverse("jobs:status", args=[999_999])).status_code == 404


def test_job_file_is_downloaded_by_its_creator(client, coordinator_user):
    job = job_start(kind="tests.report", actor=coordinator_user)
    job_execute(job_id=job.pk)
    client.force_login(coordinator_user)
    response = client.get(reverse("jobs:file", args=[job.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == "岗位,人数\n"
    assert response["Content-Disposition"].startswith("attachment;")


def test_job_progress_include_renders_data_attributes_only(rf, coordinator_user):
    from django.template.loader import render_to_string

    job = job_start(kind="tests.count", params={"steps": 1}, actor=coordinator_user)
    html = render_to_string("jobs/_progress.html", {"job": job, "done_url": "/done/"})
    assert f'data-job-status-url="/jobs/{job.pk}/status/"' in html
    assert 'data-job-done-url="/done/"' in html
    assert "<script" not in html
    assert "style=" not in html
