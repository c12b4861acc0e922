"""``manage.py bench_dashboard``: queries and seconds of the statistics dashboard (see
``jinseed.devtools.bench.dashboard``)."""

from django.core.management.base import BaseCommand, CommandError

from applicants.models import Application
from jinseed.devtools.bench.dashboard import dashboard_measure


class Command(BaseCommand):
    help = (
        "Open /office/ as programme staff for each cycle (or --cycle YEAR) on the current database and print "
        "its SQL queries and seconds, with the figures counted afresh and kept in the cache (best of --repeat "
        "runs each); exit 1 above --budget queries when counting, or when a page with kept figures takes longer "
        "than --seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cycle", type=int, action="append", help="Only this cycle's year (repeatable).")
        parser.add_argument("--repeat", type=int, default=3, help="Timed runs per cycle (default 3).")
        parser.add_argument("--budget", type=int, default=15, help="Most queries allowed (default 15).")
        parser.add_argument(
            "--seconds", type=float, default=0.2, help="Longest time allowed with kept figures (default 0.2)."
        )

    def handle(self, *args, cycle, repeat, budget, seconds, **options):
        try:
            runs = dashboard_measure(years=cycle, repeat=repeat)
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"applications on the database: {Application.objects.count()}")
        self.stdout.write("cycle  counted: queries  seconds  kept: queries  seconds  verdict")
        failures = []
        for run in runs:
            problems = []
            if run.status != 200:
                problems.append(f"status {run.status}")
            if run.queries > budget:
                problems.append(f"more than {budget} queries")
            if run.kept_seconds > seconds:
                problems.append(f"kept figures slower than {seconds} s")
            if problems:
                failures.append(str(run.year))
            verdict = "FAIL: " + ", ".join(problems) if problems else "ok"
            self.stdout.write(
                f"{run.year:<5}  {run.queries:>16}  {run.seconds:>7.3f}  {run.kept_queries:>13}  "
                f"{run.kept_seconds:>7.3f}  {verdict}"
            )
        if failures:
            raise CommandError(f"Dashboard over budget: {', '.join(failures)}")
