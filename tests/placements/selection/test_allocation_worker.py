"""A confirmed allocation's messages through the real broker and a real worker process: the
confirmation commits without them, and the task it publishes at the commit queues them."""

import os

import pytest
from django.db import connection

from applicants.enums import ApplicationStatus as S
from jinseed.devtools.bench.outbox import Worker, free_port, wait_for
from jinseed.notifications.models import Notification
from placements.models import AllocationRound
from placements.selection import services
from tests import factories
from tests.placements.conftest import make_applications

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
    if connection.vendor != "postgresql":
        pytest.skip("the worker process must see the test database: PostgreSQL only")
    process = Worker(broker_url=os.environ["CELERY_BROKER_URL"], smtp_port=free_port(), name="allocation")
    yield process
    process.stop()


def test_allocation_messages_are_queued_by_the_worker_after_the_commit(cycle, unit, staff_user, worker):
    post = factories.PostFactory(cycle=cycle, unit=unit, headcount=2)
    placed = make_applications(post, 2, status=S.INTERVIEWED, ranked=True)
    preview = services.allocation_preview(cycle=cycle, actor=staff_user)
    services.allocation_confirm(allocation=preview, actor=staff_user)

    def queued() -> bool:
        return AllocationRound.objects.filter(pk=preview.pk, messages_queued_at__isnull=False).exists()

    assert wait_for(queued, timeout=300, interval=0.1), worker.output()
    told = set(Notification.objects.filter(kind="offer_made").values_list("recipient_id", flat=True))
    assert told == {app.student.user_id for app in placed}
