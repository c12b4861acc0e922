"""The placement admin shows placements and lets staff name a mentor of the placement's unit."""

import pytest
from django.urls import reverse

from tests import factories
from tests.placements.cultivation.helpers import make_placement

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    client.cookies["django_language"] = "en"
    return client


def test_placement_admin_names_a_mentor_of_the_unit(admin_client):
    placement = make_placement()
    mentor = factories.MentorFactory(unit=placement.post.unit)
    url = reverse("admin:placements_placement_change", args=[placement.pk])
    response = admin_client.post(url, {"mentor": mentor.pk})
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.mentor == mentor


def test_placement_admin_refuses_a_mentor_of_another_unit(admin_client):
    placement = make_placement()
    stranger = factories.MentorFactory()
    url = reverse("admin:placements_placement_change", args=[placement.pk])
    response = admin_client.post(url, {"mentor": stranger.pk})
    assert response.status_code == 200
    assert "Choose a mentor of the placement&#x27;s own unit." in response.content.decode()
    placement.refresh_from_db()
    assert placement.mentor is None


def test_placement_admin_keeps_status_and_dates_read_only(admin_client):
    placement = make_placement()
    url = reverse("admin:placements_placement_change", args=[placement.pk])
    admin_client.post(url, {"mentor": "", "status": "completed", "ends_on": "2099-01-01"})
    placement.refresh_from_db()
    assert placement.status == "upcoming"
    assert str(placement.ends_on) != "2099-01-01"
    assert admin_client.get(reverse("admin:placements_placement_add")).status_code == 403
