"""Applying while a placement still runs over the same dates: allowed, with a warning."""

import datetime as dt

import pytest

from applicants.eligibility import eligibility_check
from tests import factories
from tests.placements.cultivation.helpers import make_placement

pytestmark = pytest.mark.django_db


def test_a_post_overlapping_a_running_long_term_placement_is_flagged_not_refused(cycle):
    student = factories.StudentProfileFactory(expected_graduation=dt.date(cycle.year + 3, 6, 30))
    placement = make_placement(student=student, long_term=True, status="active")
    start = placement.starts_on + dt.timedelta(days=10)
    overlapping = factories.PostFactory(cycle=cycle, starts_on=start, ends_on=start + dt.timedelta(days=30))
    after = placement.ends_on + dt.timedelta(days=1)
    later = factories.PostFactory(cycle=cycle, starts_on=after, ends_on=after + dt.timedelta(days=30))
    flagged = eligibility_check(profile=student, cycle=cycle, post=overlapping)
    assert [(r.rule, r.code, r.severity) for r in flagged.warnings] == [
        ("placement_overlap", "placement_overlap", "warn")
    ]
    assert flagged.is_eligible is True
    assert eligibility_check(profile=student, cycle=cycle, post=later).warnings == []


def test_a_completed_placement_does_not_flag(cycle):
    placement = make_placement(status="completed")
    post = factories.PostFactory(cycle=cycle, starts_on=placement.starts_on, ends_on=placement.ends_on)
    assert eligibility_check(profile=placement.student, cycle=cycle, post=post).warnings == []
