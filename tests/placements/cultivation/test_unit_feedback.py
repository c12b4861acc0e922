"""A coordinator reads what students said about their unit; anonymous items stay anonymous."""

import pytest
from django.urls import reverse

from placements.cultivation import services
from placements.cultivation.enums import FeedbackTopic
from tests import factories
from tests.placements.cultivation.helpers import make_placement

pytestmark = pytest.mark.django_db


def _feedback(placement, body, *, anonymous):
    return services.feedback_submit(
        placement=placement,
        actor=placement.student.user,
        topic=FeedbackTopic.LIVING,
        body=body,
        anonymous_to_unit=anonymous,
    )


def test_coordinator_sees_own_unit_feedback_with_anonymous_authors_hidden(client):
    coordinator = factories.CoordinatorFactory()
    named = make_placement(unit=coordinator.unit)
    hidden = make_placement(unit=coordinator.unit, cycle=named.post.cycle)
    elsewhere = make_placement(cycle=named.post.cycle)
    for placement, name in ((named, "张署名"), (hidden, "李匿名")):
        placement.student.legal_name = name
        placement.student.save(update_fields=["legal_name"])
    _feedback(named, "希望增加班车。", anonymous=False)
    _feedback(hidden, "食堂可以更早开门。", anonymous=True)
    _feedback(elsewhere, "别的单位的意见。", anonymous=False)

    client.force_login(coordinator.user)
    body = client.get(reverse("cultivation:placement_list")).content.decode()
    section = body[body.index('data-testid="unit-feedback"') :]
    assert "希望增加班车。" in section
    assert "张署名" in section
    assert "食堂可以更早开门。" in section
    assert "李匿名" not in section
    assert "别的单位的意见。" not in section


def test_mentor_list_has_no_unit_feedback(client):
    mentor = factories.MentorFactory()
    make_placement(unit=mentor.unit, mentor=mentor)
    client.force_login(mentor.user)
    body = client.get(reverse("cultivation:placement_list")).content.decode()
    assert 'data-testid="unit-feedback"' not in body
