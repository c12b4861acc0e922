"""Staff form and complete the groups, and record attendance, from pages instead of the
command line and the admin's rows."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from placements.cultivation.enums import ActivityKind, ActivityStatus
from placements.models import Activity, ActivitySignup, Group, GroupMembership
from tests import factories
from tests.placements.cultivation.helpers import make_placement

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(factories.StaffFactory())
    return client


def test_staff_form_groups_then_place_a_late_student_then_reform_after_asking(staff_client, cycle):
    placements = [make_placement(post=factories.PostFactory(cycle=cycle)) for _ in range(3)]
    url = f"{reverse('office:groups')}?cycle={cycle.year}"
    assert 'data-testid="form-groups"' in staff_client.get(url).content.decode()
    staff_client.post(url, {"action": "form"})
    assert GroupMembership.objects.filter(group__cycle=cycle).count() == 3

    late = make_placement(post=factories.PostFactory(cycle=cycle))
    page = staff_client.get(url).content.decode()
    assert 'data-testid="unassigned"' in page and late.student.legal_name in page
    staff_client.post(url, {"action": "place"})
    assert GroupMembership.objects.get(placement=late).group.cycle_id == cycle.pk

    groups_before = list(Group.objects.filter(cycle=cycle).values_list("pk", flat=True))
    response = staff_client.post(url, {"action": "reform"})  # not confirmed: only asks
    assert response.url == f"{url}&reform=1"
    assert list(Group.objects.filter(cycle=cycle).values_list("pk", flat=True)) == groups_before
    assert 'data-testid="reform-confirm"' in staff_client.get(response.url).content.decode()
    staff_client.post(url, {"action": "reform", "confirm": "yes"})
    assert not Group.objects.filter(pk__in=groups_before).exists()
    assert GroupMembership.objects.filter(group__cycle=cycle).count() == len(placements) + 1


def test_staff_record_attendance_in_one_form(staff_client, cycle):
    first, second = (make_placement(post=factories.PostFactory(cycle=cycle)) for _ in range(2))
    activity = Activity.objects.create(
        cycle=cycle,
        kind=ActivityKind.ORIENTATION,
        title="走进金山",
        starts_at=timezone.now() - dt.timedelta(hours=2),
        ends_at=timezone.now() - dt.timedelta(hours=1),
        place="金山区青少年活动中心",
        capacity=30,
        status=ActivityStatus.PUBLISHED,
        proposed_by=factories.StaffFactory(),
    )
    for placement in (first, second):
        ActivitySignup.objects.create(activity=activity, placement=placement)
    listing = staff_client.get(f"{reverse('office:activities')}?cycle={cycle.year}").content.decode()
    assert f'data-testid="attendance-{activity.pk}"' in listing
    url = reverse("office:activity_attendance", args=[activity.pk])
    response = staff_client.post(url, {"attended": [str(first.pk)]})
    assert response.status_code == 302
    assert dict(ActivitySignup.objects.values_list("placement_id", "attended")) == {first.pk: True, second.pk: False}


@pytest.mark.parametrize("role", ["student", "coordinator"])
def test_only_staff_reach_the_groups_and_attendance_pages(client, cycle, role):
    user = factories.StudentProfileFactory().user if role == "student" else factories.CoordinatorFactory().user
    client.force_login(user)
    assert client.get(reverse("office:groups")).status_code == 403
    assert client.get(reverse("office:activities")).status_code == 403
