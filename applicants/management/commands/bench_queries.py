"""Count the SQL queries of the main pages with 1 and with 200 rows.

Fails (exit status 1) when a page needs more than ``--budget`` queries or needs more with
200 rows than with 1: a query per row is the usual way a page gets slow in the registration
rush. The cases come from every app's ``bench.py`` (see ``applicants.bench``); each runs in
a transaction that is rolled back.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils.module_loading import autodiscover_modules

from applicants import bench


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Print the SQL query count of the post list, post detail and My applications with 1 and 200 rows."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, nargs=2, default=[1, 200], metavar=("FEW", "MANY"))
        parser.add_argument("--budget", type=int, default=10, help="Most queries a page may need (default 10).")

    def handle(self, *args, rows, budget, **options):
        autodiscover_modules("bench")
        few, many = rows
        failures = []
        name_width = max(len(c.name) for c in bench.CASES)
        self.stdout.write(f"{'page':<{name_width}}  {few:>6} {many:>6}  verdict")
        for case in bench.CASES:
            counts = [self._measure(case, n) for n in (few, many)]
            problems = []
            if max(counts) > budget:
                problems.append(f"more than {budget} queries")
            if counts[1] > counts[0]:
                problems.append("grows with the rows")
            verdict = "FAIL: " + ", ".join(problems) if problems else "ok"
            if problems:
                failures.append(case.name)
            self.stdout.write(f"{case.name:<{name_width}}  {counts[0]:>6} {counts[1]:>6}  {verdict}")
        if failures:
            raise CommandError(f"Query budget exceeded: {', '.join(failures)}")

    def _measure(self, case: bench.PageCase, n: int) -> int:
        result = {}
        try:
            with transaction.atomic(), override_settings(ALLOWED_HOSTS=["testserver"], AXES_ENABLED=False):
                world = bench.world_build()
                case.build(world, n)
                client = Client()
                viewer = case.viewer(world)
                if viewer is not None:
                    client.force_login(viewer, backend="jinseed.accounts.backends.EmailOrMobileBackend")
                url = case.url(world)
                client.get(url)  # warm up: sessions, content types and other once-per-process reads
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
                if response.status_code != 200:
                    raise CommandError(f"{case.name}: {url} answered {response.status_code}")
                result["count"] = len(queries)
                raise _Rollback
        except _Rollback:
            pass
        return result["count"]
