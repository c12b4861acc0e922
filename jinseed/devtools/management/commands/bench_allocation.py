"""``manage.py bench_allocation``: the district-wide allocation and the closing of a cycle at scale.

Builds a bench cycle (``jinseed.devtools.bench.allocation``: ``--students`` students who each
list ``--prefs`` posts of ``--posts``, interviewed, ~80 % ranked), then measures, in a fresh
process so that the memory figure is the allocation's own:

* the preview (``allocation_preview``, first, as a job runs it) and the confirmation
  (``allocation_confirm``: offers, application moves, the commit with its foreign key
  checks) end to end; between them the read and the matching again, timed apart; then the
  students' offer messages, which a worker queues once the confirmation has committed;
* queries of each step, peak resident memory of the process (``ru_maxrss``);
* blocking pairs of the result on a random sample of students (the independent verifier
  ``matching.blocking_pairs``; 0 = stable) and posts over capacity.

Then, the page's offers taken back (``bench_allocation_undo``), ``manage.py allocate`` on the
same instance in another fresh process: the preview and the confirmation in one pass.

Then ``cycle_selection_close`` on cycles of each ``--close`` size (its queries grow only with
the batches of ids). The bench cycles are deleted at the end unless ``--keep``. The figures it
printed last, with the command, are in ``docs/performance.md``.
"""

import io
import random
import resource
import subprocess
import sys
import time
from unittest import mock

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from jinseed.devtools.bench import allocation as bench
from jinseed.notifications.models import Notification
from placements.models import AllocationRound
from placements.selection import services
from placements.selection.matching import blocking_pairs, capacity_violations, deferred_acceptance
from placements.selection.services import allocation as allocation_service
from positions.models import Cycle


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


class Command(BaseCommand):
    help = "Benchmark the stable allocation (preview and confirm) and closing a cycle on bench data."

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, default=100_000)
        parser.add_argument("--posts", type=int, default=10_000)
        parser.add_argument("--prefs", type=int, default=10, help="Posts each student lists (default 10).")
        parser.add_argument("--seed", type=int, default=13)
        parser.add_argument("--sample", type=int, default=2_000, help="Students checked for blocking pairs.")
        parser.add_argument(
            "--close", type=int, nargs="*", default=[1_000, 10_000, 100_000], help="Applications per close run."
        )
        parser.add_argument("--keep", action="store_true", help="Keep the bench cycles.")
        parser.add_argument(
            "--as-staff",
            action="store_true",
            help="Preview and confirm as a staff member, as the page does (default: no actor, as `allocate`).",
        )
        parser.add_argument("--measure", type=int, default=0, help=argparse_suppress())
        parser.add_argument("--measure-command", type=int, default=0, help=argparse_suppress())

    def handle(
        self, *args, students, posts, prefs, seed, sample, close, keep, measure, measure_command, as_staff, **options
    ):
        if measure:
            actor = bench.bench_staff_member() if as_staff else None
            self.measure(Cycle.objects.get(pk=measure), sample=sample, seed=seed, actor=actor)
            return
        if measure_command:
            self.measure_command(Cycle.objects.get(pk=measure_command))
            return
        self.stdout.write(f"database={connection.vendor}")
        bench.bench_cleanup()
        started = time.perf_counter()
        cycle, _instance = bench.build_allocation_cycle(n_students=students, n_posts=posts, prefs=prefs, seed=seed)
        del _instance
        bench.bench_settle()
        self.stdout.write(
            f"built cycle {cycle.pk}: {students} students x {prefs} preferences, {posts} posts "
            f"in {time.perf_counter() - started:.1f} s"
        )
        self.stdout.flush()
        command = [
            sys.executable,
            sys.argv[0],
            "bench_allocation",
            "--measure",
            str(cycle.pk),
            "--sample",
            str(sample),
            "--seed",
            str(seed),
            *(["--as-staff"] if as_staff else []),
        ]
        subprocess.run(command, check=True)  # noqa: S603 - our own command line
        # 4. ``allocate`` on the same instance, in a fresh process: once what the page made is
        # taken back, the one pass reads, matches and writes it again.
        bench.bench_allocation_undo(cycle)
        subprocess.run(  # noqa: S603 - our own command line
            [sys.executable, sys.argv[0], "bench_allocation", "--measure-command", str(cycle.pk)], check=True
        )
        for n in close:
            self.close(n, seed=seed)
        if not keep:
            bench.bench_cleanup()

    def measure(self, cycle: Cycle, *, sample: int, seed: int, actor) -> None:
        out = self.stdout.write
        out(f"actor={'staff' if actor else 'none'}")
        # 1. The preview, first in this fresh process, as a staff member's job runs it.
        reset_queries()  # a full log (9,000 queries) would count nothing new
        with CaptureQueriesContext(connection) as preview_queries:
            t3, c3 = time.perf_counter(), time.process_time()
            allocation = services.allocation_preview(cycle=cycle, actor=actor)
            t4, c4 = time.perf_counter(), time.process_time()
        out(
            f"preview end to end={t4 - t3:.2f}s (this process's CPU {c4 - c3:.2f}s) "
            f"queries={len(preview_queries)} matched={allocation.matched}"
        )
        # 2. The same read and matching again, timed apart, and the result checked.
        reset_queries()
        with CaptureQueriesContext(connection) as read_queries:
            t0 = time.perf_counter()
            inputs = services.allocation_inputs_read(cycle=cycle)
            t1 = time.perf_counter()
            result = deferred_acceptance(inputs.instance)
            t2 = time.perf_counter()
        blocking = blocking_pairs(inputs.instance, result, sample=sample, rng=random.Random(seed))
        over = capacity_violations(inputs.instance, result)
        out(
            f"students={len(inputs.instance.preferences)} posts={len(inputs.posts)} applications={inputs.applications} "
            f"matched={len(result.assignment)} unplaced={len(result.unplaced)} "
            f"empty_places={sum(result.empty_places.values())}"
        )
        out(f"blocking_pairs={len(blocking)} (sample of {sample} students) posts_over_capacity={len(over)}")
        out(
            f"read_and_build={t1 - t0:.2f}s ({len(read_queries)} queries) match={t2 - t1:.2f}s "
            f"same_fingerprint_as_preview={inputs.fingerprint == allocation.fingerprint}"
        )
        del inputs, result
        # 3. The confirmation: read the fingerprint again under the locks, then write.
        allocation = AllocationRound.objects.get(pk=allocation.pk)
        reset_queries()
        published = []
        # At the commit the confirmation hands its messages to a worker; without a broker that
        # would run here, inside the figure. They are timed apart, as the worker's own task.
        with (
            CaptureQueriesContext(connection) as confirm_queries,
            mock.patch.object(allocation_service, "_offer_messages_publish", published.append),
        ):
            t5, c5 = time.perf_counter(), time.process_time()
            done = services.allocation_confirm(allocation=allocation, actor=actor)
            t6, c6 = time.perf_counter(), time.process_time()
        out(
            f"confirm end to end={t6 - t5:.2f}s (this process's CPU {c6 - c5:.2f}s, the rest is the database's "
            f"reading, writing and checking at commit) queries={len(confirm_queries)} offers={done.offers_made}"
        )
        reset_queries()
        with CaptureQueriesContext(connection) as message_queries:
            t7 = time.perf_counter()
            told = services.allocation_offer_messages_queue(allocation_id=published[0])
            t8 = time.perf_counter()
        rows = Notification.objects.filter(kind="offer_made", recipient__email__endswith=bench.EMAIL_DOMAIN).count()
        out(
            f"offer messages, queued by a worker after the commit={t8 - t7:.2f}s "
            f"queries={len(message_queries)} students_told={told} "
            f"outbox_rows={rows}"
        )
        out(f"peak_memory={_peak_mb():.0f} MB")

    def measure_command(self, cycle: Cycle) -> None:
        """``manage.py allocate --cycle <id>`` as staff run it, its messages left to the worker
        as in the confirmation's figure."""
        out = io.StringIO()
        published = []
        reset_queries()
        with (
            CaptureQueriesContext(connection) as queries,
            mock.patch.object(allocation_service, "_offer_messages_publish", published.append),
        ):
            started, cpu = time.perf_counter(), time.process_time()
            call_command("allocate", "--cycle", str(cycle.pk), stdout=out)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        done = AllocationRound.objects.get(pk=published[0])
        self.stdout.write(
            f"allocate end to end (one pass: read, match, write, commit)={seconds:.2f}s (this process's CPU "
            f"{cpu:.2f}s) queries={len(queries)} matched={done.matched} offers={done.offers_made} "
            f"peak_memory={_peak_mb():.0f} MB"
        )
        self.stdout.write("  allocate printed: " + " | ".join(out.getvalue().splitlines()))

    def close(self, n: int, *, seed: int) -> None:
        cycle = bench.build_closing_cycle(n_applications=n, seed=seed)
        bench.bench_settle()
        reset_queries()  # a full log (9,000 queries) would count nothing new
        with CaptureQueriesContext(connection) as queries:
            started, cpu = time.perf_counter(), time.process_time()
            counts = services.cycle_selection_close(cycle=cycle, actor=None)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        self.stdout.write(
            f"close_selection applications={n} seconds={seconds:.2f} cpu={cpu:.2f}s queries={len(queries)} "
            + " ".join(f"{k}={v}" for k, v in counts.items())
        )


def argparse_suppress():
    import argparse

    return argparse.SUPPRESS
