import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from positions.enums import Season, TermType
from tests.factories import CycleFactory, PostFactory

pytestmark = pytest.mark.django_db


def _violates(factory, **kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**kwargs)


def test_post_headcount_must_be_positive(cycle):
    _violates(PostFactory, cycle=cycle, headcount=0)


def test_post_short_term_needs_a_season(cycle):
    _violates(PostFactory, cycle=cycle, term=TermType.SHORT, season="")


def test_post_long_term_has_no_season(cycle):
    _violates(PostFactory, cycle=cycle, term=TermType.LONG, season=Season.SUMMER)


def test_post_end_before_start_refused(cycle):
    _violates(PostFactory, cycle=cycle, starts_on=dt.date(2030, 7, 10), ends_on=dt.date(2030, 7, 1))


def test_post_year_range_must_be_ordered(cycle):
    _violates(PostFactory, cycle=cycle, min_year_of_study=4, max_year_of_study=2)


def test_cycle_registration_must_close_after_opening():
    c = CycleFactory.build(year=2040)
    c.registration_closes_at = c.registration_opens_at
    with pytest.raises(IntegrityError), transaction.atomic():
        c.save()


def test_cycle_year_is_unique(cycle):
    other = CycleFactory.build(year=cycle.year, ordinal=cycle.ordinal + 50)
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()


def test_cycle_registration_window_includes_open_excludes_close(cycle):
    assert cycle.registration_is_open(cycle.registration_opens_at) is True
    assert cycle.registration_is_open(cycle.registration_closes_at - dt.timedelta(seconds=1)) is True
    assert cycle.registration_is_open(cycle.registration_closes_at) is False
    assert cycle.registration_is_open(cycle.registration_opens_at - dt.timedelta(seconds=1)) is False
