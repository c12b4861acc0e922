"""Concurrent submits on real PostgreSQL connections: the limit and the one-time token hold."""

import threading

import pytest
from django.db import connection, connections

from applicants.models import Application
from applicants.services import ApplicationError, application_submit
from tests import factories
from tests.applicants.helpers import student_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")


def _race(calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            outcomes.append(call())
        except ApplicationError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_concurrent_submits_never_pass_the_cycle_limit():
    cycle = factories.CycleFactory(max_applications=2)
    student = student_for(cycle)
    posts = factories.PostFactory.create_batch(4, cycle=cycle)
    calls = [
        lambda p=p, r=r: application_submit(
            student=student, post=p, preference_rank=r, statement="x" * 30, submit_token=f"t{p.pk}"
        )
        for p, r in zip(posts, (1, 2, 1, 2), strict=True)
    ]
    outcomes = _race(calls)
    assert Application.objects.filter(student=student).count() == 2
    assert sorted(o for o in outcomes if isinstance(o, str)) in (
        ["limit_reached", "limit_reached"],
        ["limit_reached", "rank_taken"],
        ["rank_taken", "rank_taken"],
    )


def test_concurrent_double_submit_creates_one_application():
    cycle = factories.CycleFactory()
    student = student_for(cycle)
    post = factories.PostFactory(cycle=cycle)
    call = lambda: application_submit(  # noqa: E731
        student=student, post=post, preference_rank=1, statement="x" * 30, submit_token="same"
    )
    outcomes = _race([call, call, call])
    assert Application.objects.count() == 1
    assert {o.pk for o in outcomes} == {Application.objects.get().pk}
