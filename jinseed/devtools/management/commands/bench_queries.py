"""Count the SQL queries of the main pages with few and with many rows.

Each page (a ``PageCase`` registered in ``jinseed.devtools.bench.pages`` or ``unit_pages``) has its own
budget and row counts: the student's pages ≤ 10 queries with 1 and 200 rows, the
coordinator's ≤ 12 with 1 and 300 applicants. ``--budget`` and ``--rows`` hold every page to
the same numbers instead. Fails (exit status 1) when a page needs more than its budget or
needs more with many rows than with few: a query per row is the usual way a page gets slow
in the registration rush. Each measurement runs in a transaction that is rolled back.
"""

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from jinseed.devtools.bench import pages as bench
from jinseed.devtools.bench import unit_pages  # noqa: F401 - registers the coordinator's pages
from jinseed.devtools.signin import verified_client


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Print the SQL query count of the main pages with few and many rows against each page's budget; "
        "exit 1 if a page is over budget or grows with the rows."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rows",
            type=int,
            nargs=2,
            metavar=("FEW", "MANY"),
            help="Measure every page with these row counts instead of its own (1 200; 1 300 for the coordinator's).",
        )
        parser.add_argument(
            "--budget",
            type=int,
            help="Hold every page to this many queries instead of its own budget (10; 12 for the coordinator's).",
        )

    def handle(self, *args, rows, budget, **options):
        header = ("page", "rows", "queries", "budget", "verdict")
        table, failures = [], []
        for case in bench.CASES:
            few, many = rows or case.rows
            limit = budget if budget is not None else case.budget
            counts = [self._measure(case, n) for n in (few, many)]
            problems = []
            if max(counts) > limit:
                problems.append(f"more than {limit} queries")
            if counts[1] > counts[0]:
                problems.append("grows with the rows")
            if problems:
                failures.append(case.name)
            verdict = "FAIL: " + ", ".join(problems) if problems else "ok"
            table.append((case.name, f"{few}/{many}", f"{counts[0]}/{counts[1]}", str(limit), verdict))
        widths = [max(len(row[i]) for row in [header, *table]) for i in range(len(header) - 1)]
        for row in [header, *table]:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  ".join([*cells, row[-1]]))
        if failures:
            raise CommandError(f"Query budget exceeded: {', '.join(failures)}")

    def _measure(self, case: bench.PageCase, n: int) -> int:
        result = {}
        try:
            with transaction.atomic(), override_settings(ALLOWED_HOSTS=["testserver"], AXES_ENABLED=False):
                world = bench.world_build()
                case.build(world, n)
                viewer = case.viewer(world)
                client = verified_client(viewer) if viewer is not None else Client()
                url = case.url(world)
                client.get(url)  # warm up: sessions, content types and other once-per-process reads
                cache.clear()  # but measure the page as rendered afresh, not its kept fragments
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
                if response.status_code != 200:
                    raise CommandError(f"{case.name}: {url} answered {response.status_code}")
                result["count"] = len(queries)
                raise _Rollback
        except _Rollback:
            pass
        return result["count"]
