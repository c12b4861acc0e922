"""Fixtures of the selection tests: a unit with its coordinator, a post and its applicants."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from applicants.enums import ApplicationStatus
from applicants.models import Application
from placements.models import InterviewSlot, ReviewCriterion
from placements.selection.enums import InterviewMode
from tests import factories


@pytest.fixture
def unit(db):
    return factories.HostUnitFactory()


@pytest.fixture
def coordinator(unit):
    return factories.CoordinatorFactory(unit=unit)


@pytest.fixture
def other_coordinator(db):
    return factories.CoordinatorFactory()


@pytest.fixture
def post(unit, cycle):
    return factories.PostFactory(unit=unit, cycle=cycle, headcount=2)


@pytest.fixture
def criteria(cycle):
    return [
        ReviewCriterion.objects.create(cycle=cycle, name="动机", position=1),
        ReviewCriterion.objects.create(cycle=cycle, name="表达", position=2),
    ]


_id_numbers = itertools.count()


def _unique_id_number() -> str:
    """The shared factory draws from 1,000 numbers; tests with dozens of students need unique ones."""
    n = next(_id_numbers)
    return factories.make_id_number(n, birth=dt.date(1999, 1, 1) + dt.timedelta(days=n // 1000 + 7))


def make_applications(post, n: int, *, status=ApplicationStatus.SUBMITTED, ranked: bool = False) -> list[Application]:
    """``n`` applications to ``post`` put straight into ``status`` (as if moved there earlier)."""
    apps = [factories.ApplicationFactory(post=post, student__id_number=_unique_id_number()) for _ in range(n)]
    for i, app in enumerate(apps, start=1):
        Application.objects.filter(pk=app.pk).update(
            status=status, published_status=status, selection_rank=i if ranked else None
        )
        app.refresh_from_db()
    return apps


def make_slot(unit, cycle, *, hours: float = 24, capacity: int = 1, self_booking: bool = False, post=None):
    return InterviewSlot.objects.create(
        unit=unit,
        cycle=cycle,
        post=post,
        starts_at=timezone.now() + dt.timedelta(hours=hours),
        duration_minutes=20,
        mode=InterviewMode.VIDEO,
        meeting_link="https://meeting.tencent.com/dm/1",
        capacity=capacity,
        self_booking=self_booking,
    )
