"""Activity sign-ups racing on real PostgreSQL connections never pass the capacity."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from placements.cultivation import services
from placements.cultivation.enums import ActivityKind, ActivityMode
from placements.cultivation.services import CultivationError
from placements.models import ActivitySignup
from tests import factories
from tests.placements.cultivation.helpers import make_placement

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")


def test_concurrent_signups_never_pass_the_capacity():
    cycle = factories.CycleFactory()
    post = factories.PostFactory(cycle=cycle, headcount=8)
    placements = [
        make_placement(post=post, student=factories.StudentProfileFactory(id_number=factories.make_id_number(i)))
        for i in range(8)
    ]
    start = timezone.now() + dt.timedelta(days=2)
    activity = services.activity_publish(
        cycle=cycle,
        actor=factories.StaffFactory(),
        kind=ActivityKind.JINSHAN_VISIT,
        data={
            "title": "学子看金山",
            "mode": ActivityMode.ON_SITE,
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=3),
            "place": "枫泾古镇",
            "capacity": 3,
        },
    )
    barrier = threading.Barrier(len(placements))
    outcomes = []

    def sign_up(placement):
        try:
            barrier.wait()
            services.activity_signup(activity=activity, placement=placement, actor=placement.student.user)
            outcomes.append("ok")
        except CultivationError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign_up, args=(p,)) for p in placements]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["full"] * 5 + ["ok"] * 3
    assert ActivitySignup.objects.filter(activity=activity).count() == 3
