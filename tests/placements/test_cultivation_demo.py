"""The demo data's cultivation: groups within bounds, and the demo student's certificate verifies."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from placements.cultivation_enums import Grade
from placements.enums import PlacementStatus
from placements.models import Certificate, Group
from positions.models import Cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())
    return Cycle.objects.get(year=2020)


def test_demo_form_groups_dry_run_prints_18_to_27_groups_of_10_to_15(demo):
    out = io.StringIO()
    call_command("form_groups", "--cycle", str(demo.pk), "--dry-run", stdout=out)
    sizes = [
        int(line.split(":")[1].split()[0]) for line in out.getvalue().splitlines() if line.strip().startswith("group")
    ]
    assert 18 <= len(sizes) <= 27
    assert all(10 <= s <= 15 for s in sizes)
    assert Group.objects.filter(cycle=demo).count() == len(sizes)


def test_demo_student_has_an_excellent_completed_placement_whose_certificate_verifies(demo, client):
    certificate = Certificate.objects.select_related("placement__student__user").get()
    placement = certificate.placement
    assert placement.student.user.email == "student@jinseed.demo"
    assert (placement.status, placement.final_grade.grade, certificate.grade) == (
        PlacementStatus.COMPLETED,
        Grade.EXCELLENT,
        Grade.EXCELLENT,
    )
    assert placement.mentor.user.email == "mentor@jinseed.demo"
    assert placement.group_membership.group.leader == placement
    assert client.get(reverse("cultivation:verify", args=[certificate.code])).status_code == 200
    changed = certificate.code[:-1] + ("2" if certificate.code[-1] != "2" else "3")
    assert client.get(reverse("cultivation:verify", args=[changed])).status_code == 404
