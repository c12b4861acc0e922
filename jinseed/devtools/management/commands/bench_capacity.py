"""``manage.py bench_capacity``: many concurrent offers and answers at small posts, on PostgreSQL.

Prints ``overfilled_posts=``, ``errors=`` and latency percentiles; exits 1 when any post holds
more open + accepted offers than its headcount, 2 when a worker failed unexpectedly.
The bench data (cycles titled "bench …", the unit "容量压力测试单位") is deleted afterwards
unless ``--keep`` is given.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from jinseed.devtools.bench import capacity as bench


class Command(BaseCommand):
    help = "Fire concurrent offer/accept/decline attempts at headcount-limited posts and check none overfills."

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, default=200, help="Workers started at once per round.")
        parser.add_argument("--rounds", type=int, default=20)
        parser.add_argument("--headcount", type=int, default=5)
        parser.add_argument(
            "--max-connections",
            type=int,
            default=40,
            help="Database connections open at once (the server's max_connections is shared).",
        )
        parser.add_argument("--keep", action="store_true", help="Keep the bench data.")

    def handle(self, *args, concurrency, rounds, headcount, max_connections, keep, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_capacity needs PostgreSQL (set DATABASE_URL): SQLite has one writer at a time.")
        students = bench.bench_students(concurrency)
        unit, actor = bench.bench_unit()
        posts, latencies, errors = [], [], []
        totals = {"made": 0, "accepted": 0, "declined": 0, "refused": 0}
        started = time.perf_counter()
        try:
            for n in range(1, rounds + 1):
                post = bench.prepare_round(students=students, unit=unit, headcount=headcount)
                posts.append(post)
                result = bench.run_round(
                    post=post, actor=actor, concurrency=concurrency, max_connections=max_connections
                )
                latencies += result.latencies
                errors += result.errors
                for key in totals:
                    totals[key] += getattr(result, key)
                over = bench.overfilled_posts([post.pk])
                self.stdout.write(
                    f"round={n} offers={result.made} accepted={bench.accepted_count(post)} "
                    f"refused={result.refused} errors={len(result.errors)} overfilled={len(over)}"
                )
            overfilled = bench.overfilled_posts([p.pk for p in posts])
        finally:
            if not keep:
                self._clean(posts)
        elapsed = time.perf_counter() - started
        for error in errors[:5]:
            self.stderr.write(error)
        self.stdout.write(
            f"rounds={rounds} concurrency={concurrency} headcount={headcount} connections={max_connections} "
            f"attempts={len(latencies)} offers={totals['made']} accepted={totals['accepted']} "
            f"declined={totals['declined']} refused={totals['refused']}"
        )
        self.stdout.write(f"overfilled_posts={len(overfilled)}")
        self.stdout.write(f"errors={len(errors)}")
        self.stdout.write(
            f"p50_ms={bench.percentile(latencies, 0.5) * 1000:.1f} "
            f"p95_ms={bench.percentile(latencies, 0.95) * 1000:.1f} elapsed_s={elapsed:.1f}"
        )
        if overfilled:
            raise SystemExit(1)
        if errors:
            raise SystemExit(2)

    def _clean(self, posts) -> None:
        from applicants.models import Application
        from jinseed.notifications.models import Notification
        from placements.models import Offer, Placement
        from positions.models import Cycle

        cycle_ids = [p.cycle_id for p in posts]
        Placement.objects.filter(post__cycle_id__in=cycle_ids).delete()
        Offer.objects.filter(cycle_id__in=cycle_ids).delete()
        Application.objects.filter(cycle_id__in=cycle_ids).delete()
        for post in posts:
            post.transitions.all().delete()
            post.delete()
        Cycle.objects.filter(pk__in=cycle_ids).delete()
        Notification.objects.filter(recipient__email__endswith="@bench.invalid").delete()
