"""The demo data's cultivation: groups within bounds; the demo student's upcoming placement
in the open cycle with mentor and group, and her completed one of the archived cycle (the year
before) whose certificate verifies. The cycles bear the years of their shifted dates."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from jinseed.accounts.models import User
from placements.cultivation.enums import Grade, PlacementEventKind
from placements.models import Certificate, Group, OnboardingItem, Placement
from placements.selection.enums import PlacementStatus
from positions.enums import CycleStatus
from positions.models import Cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_seeded, db):
    return Cycle.objects.get(status=CycleStatus.OPEN)


def demo_placement(status: str) -> Placement:
    """The demo student's placement in the demo's open or archived cycle."""
    return Placement.objects.select_related("mentor__user", "post__cycle").get(
        student__user__email="student@jinseed.demo", post__cycle__status=status
    )


def test_demo_form_groups_dry_run_prints_22_groups_of_10_to_15(demo):
    out = io.StringIO()
    call_command("form_groups", "--cycle", str(demo.pk), "--dry-run", stdout=out)
    sizes = [
        int(line.split(":")[1].split()[0]) for line in out.getvalue().splitlines() if line.strip().startswith("group")
    ]
    assert sorted(sizes) == [12] * 16 + [13] * 6  # the article's 22 groups, 270 students
    assert Group.objects.filter(cycle=demo).count() == len(sizes)


def test_demo_student_has_an_excellent_completed_archived_placement_whose_certificate_verifies(demo, client):
    placement = demo_placement(CycleStatus.ARCHIVED)
    assert placement.post.cycle.year == demo.year - 1
    assert placement.post.cycle.status == "archived"
    assert placement.status == PlacementStatus.COMPLETED
    assert placement.mentor.user.email == "mentor@jinseed.demo"
    assert placement.final_grade.grade == Grade.EXCELLENT
    assert placement.final_grade.confirmed_by.email == "staff@jinseed.demo"
    assert {a.proposed_grade for a in placement.assessments.all()} == {Grade.EXCELLENT}
    assert placement.onboarding_ticks.count() == OnboardingItem.objects.filter(cycle=placement.post.cycle).count()
    assert hasattr(placement, "group_membership")
    history = [(e.kind, e.to_value) for e in placement.events.order_by("created_at", "pk")]
    assert history == [
        (PlacementEventKind.STATUS, PlacementStatus.ACTIVE),
        (PlacementEventKind.STATUS, PlacementStatus.COMPLETED),
        (PlacementEventKind.GRADE, Grade.EXCELLENT),
    ]
    certificate = Certificate.objects.get(placement=placement)
    assert (certificate.grade, certificate.is_revoked) == (Grade.EXCELLENT, False)
    assert certificate.code.startswith(f"JS{demo.year - 1}")

    response = client.get(reverse("cultivation:verify", args=[certificate.code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "顾**" in page and "顾佳怡" not in page
    changed = certificate.code[:-1] + ("2" if certificate.code[-1] != "2" else "3")
    assert client.get(reverse("cultivation:verify", args=[changed])).status_code == 404


def test_demo_student_current_placement_is_upcoming_with_mentor_and_group(demo):
    placement = demo_placement(CycleStatus.OPEN)
    assert placement.status == PlacementStatus.UPCOMING
    assert placement.mentor.user.email == "mentor@jinseed.demo"
    assert placement.group_membership.group.cycle == demo
    assert placement.group_membership.group.leader == placement
    assert not hasattr(placement, "final_grade")
    assert not placement.certificates.exists()
    assert not placement.assessments.exists()


def test_demo_my_placement_shows_the_current_one_and_links_the_archived_certificate(demo, client):
    client.force_login(User.objects.get(email="student@jinseed.demo"))
    current, earlier = demo_placement(CycleStatus.OPEN), demo_placement(CycleStatus.ARCHIVED)
    page = client.get(reverse("cultivation:my_placement")).content.decode()
    assert current.post.cycle.title in page and "沈建国" in page
    assert current.group_membership.group.name in page
    assert 'data-testid="download-certificate"' not in page
    assert reverse("cultivation:my_placement_detail", args=[earlier.pk]) in page  # all my cycles

    page = client.get(reverse("cultivation:my_placement_detail", args=[earlier.pk])).content.decode()
    certificate = Certificate.objects.get(placement=earlier)
    assert 'data-testid="download-certificate"' in page and certificate.code in page
    response = client.get(reverse("cultivation:certificate_download", args=[earlier.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="certificate-{certificate.code}.pdf"'
    assert response.content[:5] == b"%PDF-"
    assert Certificate.objects.filter(placement=earlier).count() == 1  # the live one, not a new one
