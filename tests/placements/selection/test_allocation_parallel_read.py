"""PostgreSQL: the allocation's rankings read through a second connection, in the snapshot of
the first. These tests commit their data (``transaction=True``): a second connection cannot
see what a test's own transaction has not committed, which is why every other test reads on
one connection."""

import threading

import pytest
from django.db import connection, connections

from applicants.models import Application
from jinseed.devtools.bench import allocation as bench
from placements.models import Offer
from placements.selection import services
from placements.selection.services import allocation as allocation_module

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: exported snapshots"),
    pytest.mark.django_db(transaction=True),
]


def _commit_elsewhere(work) -> None:
    """Run ``work`` on a connection of another thread, committed when it returns."""

    def run():
        try:
            work()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()


def test_the_parallel_read_gives_the_instance_of_the_serial_one():
    cycle, _instance = bench.build_allocation_cycle(n_students=60, n_posts=12, prefs=4, seed=5)
    serial = services.allocation_inputs_read(cycle=cycle, parallel=False)
    parallel = services.allocation_inputs_read(cycle=cycle, parallel=True)
    assert parallel.instance == serial.instance
    assert parallel.application_ids == serial.application_ids
    assert parallel.fingerprint == serial.fingerprint
    assert sum(map(len, parallel.instance.rankings.values())) > 0


def test_the_second_connection_reads_in_the_first_ones_snapshot(monkeypatch):
    """A ranking committed after the first connection's snapshot, before the second reads, is
    not seen: both halves of the instance are of the same moment."""
    cycle, _instance = bench.build_allocation_cycle(n_students=60, n_posts=12, prefs=4, seed=5)
    before = services.allocation_inputs_read(cycle=cycle, parallel=False)
    ranked = Application.objects.filter(cycle=cycle, selection_rank__isnull=False).order_by("pk").first()
    read = allocation_module._rankings_read
    snapshots = []

    def unrank_first_then_read(by_post, snapshot):
        snapshots.append(snapshot)
        _commit_elsewhere(lambda: Application.objects.filter(pk=ranked.pk).update(selection_rank=None))
        return read(by_post, snapshot)

    monkeypatch.setattr(allocation_module, "_rankings_read", unrank_first_then_read)
    inputs = services.allocation_inputs_read(cycle=cycle, parallel=True)
    assert snapshots[0]  # the second connection was given the first one's snapshot
    assert inputs.instance.rankings == before.instance.rankings
    assert ranked.student_id in inputs.instance.rankings[ranked.post_id]
    # The change is there for the next read.
    monkeypatch.setattr(allocation_module, "_rankings_read", read)
    after = services.allocation_inputs_read(cycle=cycle, parallel=True)
    assert ranked.student_id not in after.instance.rankings.get(ranked.post_id, [])


def test_allocate_reads_in_parallel_when_it_is_the_whole_transaction(monkeypatch):
    cycle, _instance = bench.build_allocation_cycle(n_students=40, n_posts=8, prefs=3, seed=3)
    read = allocation_module._rankings_read
    snapshots = []

    def spy(by_post, snapshot):
        snapshots.append(snapshot)
        return read(by_post, snapshot)

    monkeypatch.setattr(allocation_module, "_rankings_read", spy)
    preview = services.allocation_preview(cycle=cycle, actor=None)
    done = services.allocation_run(cycle=cycle, actor=None)
    assert len(snapshots) == 2 and all(snapshots)
    assert done.fingerprint == preview.fingerprint
    assert Offer.objects.filter(cycle=cycle).count() == done.offers_made == preview.matched > 0


@pytest.mark.parametrize("rankings_come", ["after_every_student", "midway"])
def test_the_matching_during_a_parallel_read_waits_for_the_rankings(monkeypatch, rankings_come):
    """Students streamed before the rankings are in wait, then are matched with the rest:
    whether the rankings come after the last student or between two chunks."""
    from placements.selection.matching import deferred_acceptance

    cycle, _instance = bench.build_allocation_cycle(n_students=60, n_posts=12, prefs=4, seed=7)
    monkeypatch.setattr(allocation_module, "_STREAM_CHUNK", 5)
    read, add = allocation_module._rankings_read, allocation_module._MatchingAsRead.add
    chunks, release = [], threading.Event()

    def held_read(by_post, snapshot):
        release.wait(timeout=30)
        return read(by_post, snapshot)

    def counted_add(self, students):
        if students:  # (the read's end adds none, to match those waiting)
            chunks.append(self.matcher is None)  # True while the rankings are not in
        if rankings_come == "midway" and len(chunks) == 3:
            release.set()
            self.rankings.result()  # in before the next chunk
        add(self, students)
        if students and len(chunks) == 12:  # the last chunk (60 students, 5 a chunk): the read waits for them
            release.set()

    monkeypatch.setattr(allocation_module, "_rankings_read", held_read)
    monkeypatch.setattr(allocation_module._MatchingAsRead, "add", counted_add)
    inputs = services.allocation_inputs_read(cycle=cycle, parallel=True, match=True)
    assert inputs.result == deferred_acceptance(inputs.instance)
    assert len(chunks) == 12
    if rankings_come == "midway":
        assert chunks[:4] == [True, True, True, False] and not any(chunks[4:])
    else:
        assert all(chunks)
