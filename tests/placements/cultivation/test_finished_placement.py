"""A completed placement is a record: its checklist and past sign-ups are shown, not changed."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from placements.cultivation.enums import ActivityKind, ActivityStatus, ChecklistParty
from placements.cultivation.services import CultivationError, onboarding_item_tick
from placements.models import Activity, ActivitySignup, OnboardingItem, OnboardingTick
from tests import factories
from tests.placements.cultivation.helpers import make_placement

pytestmark = pytest.mark.django_db


def test_a_completed_placements_checklist_cannot_be_unticked(cycle):
    placement = make_placement(post=factories.PostFactory(cycle=cycle), status="completed")
    item = OnboardingItem.objects.create(cycle=cycle, title="阅读安全须知", party=ChecklistParty.STUDENT)
    OnboardingTick.objects.create(placement=placement, item=item, ticked_by=placement.student.user)
    with pytest.raises(CultivationError) as refused:
        onboarding_item_tick(placement=placement, item=item, actor=placement.student.user, done=False)
    assert refused.value.code == "completed"
    assert OnboardingTick.objects.filter(placement=placement, item=item).exists()


def test_last_years_activities_show_the_sign_up_without_a_cancel_button(client, cycle):
    placement = make_placement(post=factories.PostFactory(cycle=cycle), status="completed")
    OnboardingItem.objects.create(cycle=cycle, title="阅读安全须知", party=ChecklistParty.STUDENT)
    past = Activity.objects.create(
        cycle=cycle,
        kind=ActivityKind.ORIENTATION,
        title="走进金山",
        starts_at=timezone.now() - dt.timedelta(days=200),
        ends_at=timezone.now() - dt.timedelta(days=200, hours=-3),
        place="金山区青少年活动中心",
        capacity=30,
        status=ActivityStatus.PUBLISHED,
        proposed_by=factories.StaffFactory(),
    )
    ActivitySignup.objects.create(activity=past, placement=placement)
    client.force_login(placement.student.user)
    html = client.get(reverse("cultivation:my_placement_detail", args=[placement.pk])).content.decode()
    assert "走进金山" in html
    assert f'data-testid="signed-up-{past.pk}"' in html
    assert f'data-testid="cancel-{past.pk}"' not in html
    assert 'name="done"' not in html
