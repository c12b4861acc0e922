"""The application admin page works with a résumé and links it to the checked download view."""

import pytest
from django.urls import reverse

from tests.applicants.helpers import pdf_upload
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_application_admin_with_a_resume_links_to_the_download_view(admin_client):
    application = ApplicationFactory(resume=pdf_upload())
    response = admin_client.get(reverse("admin:applicants_application_change", args=[application.pk]))
    assert response.status_code == 200
    link = f'<a href="/applications/{application.pk}/resume/">下载简历</a>'
    assert link in response.content.decode()
    download = admin_client.get(f"/applications/{application.pk}/resume/")
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="resume-{application.pk}.pdf"'


def test_application_admin_without_a_resume_shows_a_dash(admin_client):
    application = ApplicationFactory()
    response = admin_client.get(reverse("admin:applicants_application_change", args=[application.pk]))
    assert response.status_code == 200
    assert '<div class="readonly">—</div>' in response.content.decode()


def test_application_admin_save_keeps_the_resume(admin_client):
    application = ApplicationFactory(resume=pdf_upload())
    stored = application.resume.name
    url = reverse("admin:applicants_application_change", args=[application.pk])
    data = {"statement": "新的自我介绍。", "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"}
    response = admin_client.post(url, data)
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.statement, application.resume.name) == ("新的自我介绍。", stored)
