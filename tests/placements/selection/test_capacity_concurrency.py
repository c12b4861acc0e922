"""The headcount under real concurrency: many connections offering and answering at once.

Runs in the PostgreSQL leg of CI (SQLite has one writer at a time, so there is no race to
lose there).
"""

import pytest
from django.db import connection

from jinseed.devtools.bench import capacity as bench
from placements.models import Offer, Placement
from placements.selection.enums import HOLDING_OFFER_STATUSES

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres_only(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: real concurrent connections")


@pytest.mark.parametrize("round_no", [1, 2, 3])
def test_concurrent_offers_never_overfill_a_post(postgres_only, settings, round_no):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    students = bench.bench_students(40, prefix=f"race{round_no}")
    unit, actor = bench.bench_unit()
    post = bench.prepare_round(students=students, unit=unit, headcount=3)

    result = bench.run_round(post=post, actor=actor, concurrency=40, max_connections=20)

    assert result.errors == []
    assert bench.overfilled_posts([post.pk]) == []
    holding = Offer.objects.filter(post=post, status__in=HOLDING_OFFER_STATUSES).count()
    assert holding == 3  # every place is taken, by a first offer or by a backup
    assert Placement.objects.filter(post=post).count() == bench.accepted_count(post) <= 3
    assert result.made + result.refused >= 40
