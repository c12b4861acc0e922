"""Repeat participation: the profile lists every cycle; a returning student is recognised
when applying again, by the student and by the unit reviewing the application."""

import pytest
from django.urls import reverse

from tests import factories
from tests.placements.cultivation.helpers import make_placement

pytestmark = pytest.mark.django_db


@pytest.fixture
def returning(cycle):
    """A student placed in an earlier cycle who applies again in ``cycle``."""
    earlier = factories.CycleFactory(year=cycle.year - 1)
    past_unit = factories.HostUnitFactory(name="金山区枫泾镇人民政府")
    placement = make_placement(post=factories.PostFactory(cycle=earlier, unit=past_unit), status="completed")
    return placement.student


def test_profile_lists_every_cycle(client, returning):
    client.cookies["django_language"] = "en"
    client.force_login(returning.user)
    page = client.get(reverse("applicants:profile")).content.decode()
    assert 'data-testid="participations"' in page
    assert "金山区枫泾镇人民政府" in page


def test_returning_student_is_recognised_when_applying(client, returning, post):
    client.cookies["django_language"] = "en"
    client.force_login(returning.user)
    page = client.get(reverse("applicants:apply", args=[post.pk])).content.decode()
    assert 'data-testid="returning-student"' in page
    assert "took part in 1 earlier cycle" in page


def test_first_time_student_is_not_flagged(client, student, post):
    client.force_login(student.user)
    page = client.get(reverse("applicants:apply", args=[post.pk])).content.decode()
    assert 'data-testid="returning-student"' not in page


def test_coordinator_sees_a_returning_applicant(client, returning, post, coordinator):
    application = factories.ApplicationFactory(post=post, student=returning)
    client.cookies["django_language"] = "en"
    client.force_login(coordinator.user)
    response = client.get(reverse("placements:application_detail", args=[application.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="returning-student"' in page
    assert f"{post.cycle.year - 1} (金山区枫泾镇人民政府)" in page
