"""``manage.py bench_dashboard``: queries and seconds of the statistics dashboard (see
``jinseed.devtools.bench.dashboard``)."""

from django.core.management.base import BaseCommand, CommandError

from applicants.models import Application
from jinseed.devtools.bench.dashboard import dashboard_measure


class Command(BaseCommand):
    help = (
        "Open /office/ as programme staff for each cycle (or --cycle YEAR) on the current database and print "
        "its SQL queries and seconds (best of --repeat runs after a warm-up); exit 1 above --budget queries or "
        "--seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cycle", type=int, action="append", help="Only this cycle's year (repeatable).")
        parser.add_argument("--repeat", type=int, default=3, help="Timed runs per cycle (default 3).")
        parser.add_argument("--budget", type=int, default=15, help="Most queries allowed (default 15).")
        parser.add_argument("--seconds", type=float, default=1.0, help="Longest time allowed (default 1.0).")

    def handle(self, *args, cycle, repeat, budget, seconds, **options):
        try:
            runs = dashboard_measure(years=cycle, repeat=repeat)
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"applications on the database: {Application.objects.count()}")
        self.stdout.write("cycle  queries  seconds  verdict")
        failures = []
        for run in runs:
            problems = []
            if run.status != 200:
                problems.append(f"status {run.status}")
            if run.queries > budget:
                problems.append(f"more than {budget} queries")
            if run.seconds > seconds:
                problems.append(f"slower than {seconds} s")
            if problems:
                failures.append(str(run.year))
            verdict = "FAIL: " + ", ".join(problems) if problems else "ok"
            self.stdout.write(f"{run.year:<5}  {run.queries:>7}  {run.seconds:>7.3f}  {verdict}")
        if failures:
            raise CommandError(f"Dashboard over budget: {', '.join(failures)}")
