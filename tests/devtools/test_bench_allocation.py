"""The allocation bench's data: the database instance is the random one, and cleans up."""

import pytest

from applicants.enums import ApplicationStatus as S
from applicants.models import Application, ApplicationEvent
from jinseed.devtools.bench import allocation as bench
from jinseed.notifications.models import Notification
from placements.models import AllocationRound, Offer
from placements.selection import services
from placements.selection.matching import blocking_pairs, deferred_acceptance
from positions.models import Cycle

pytestmark = pytest.mark.django_db


def test_bench_allocation_cycle_allocates_as_the_random_instance():
    cycle, instance = bench.build_allocation_cycle(n_students=60, n_posts=12, prefs=4, seed=5)
    inputs = services.allocation_inputs_read(cycle=cycle)
    assert inputs.applications == 60 * 4
    expected = deferred_acceptance(instance)
    result = deferred_acceptance(inputs.instance)
    # Same instance up to the ids: as many matched, and stable by the independent check.
    assert len(result.assignment) == len(expected.assignment)
    assert blocking_pairs(inputs.instance, result) == []
    preview = services.allocation_preview(cycle=cycle, actor=None)
    done = services.allocation_confirm(allocation=preview, actor=None)
    assert Offer.objects.filter(cycle=cycle).count() == done.offers_made == len(expected.assignment)
    assert bench.bench_cleanup() == 1
    assert not Cycle.objects.filter(pk=cycle.pk).exists()


def test_bench_allocation_undo_lets_the_command_allocate_the_same_instance_again(django_capture_on_commit_callbacks):
    cycle, _instance = bench.build_allocation_cycle(n_students=40, n_posts=8, prefs=3, seed=3)
    preview = services.allocation_preview(cycle=cycle, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.allocation_confirm(allocation=preview, actor=None)
    made = sorted(Offer.objects.filter(cycle=cycle).values_list("application_id", "post_id"))
    assert len(made) == first.offers_made > 0

    bench.bench_allocation_undo(cycle)
    assert not Offer.objects.filter(cycle=cycle).exists()
    assert not AllocationRound.objects.filter(cycle=cycle).exists()
    assert not Notification.objects.filter(kind="offer_made").exists()
    assert set(Application.objects.filter(cycle=cycle).values_list("status", "published_status")) == {
        (S.INTERVIEWED, S.INTERVIEWED)
    }
    assert not ApplicationEvent.objects.filter(application__cycle=cycle, to_status=S.OFFERED).exists()

    again = services.allocation_run(cycle=cycle, actor=None)
    assert sorted(Offer.objects.filter(cycle=cycle).values_list("application_id", "post_id")) == made
    assert again.fingerprint == preview.fingerprint
    assert bench.bench_cleanup() == 1


def test_bench_closing_cycle_closes_every_application():
    cycle = bench.build_closing_cycle(n_applications=200, seed=2)
    counts = services.cycle_selection_close(cycle=cycle, actor=None)
    assert counts["offers_lapsed"] + counts["applications_ended"] == 200
    assert counts["students_told"] == 50
    assert bench.bench_cleanup() == 1
