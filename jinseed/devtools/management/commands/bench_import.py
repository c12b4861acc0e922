"""``manage.py bench_import``: how fast and in how much memory the post import refuses a sheet
that unpacks to millions of empty cells (see ``jinseed.devtools.bench.import_sheets``)."""

from django.core.management.base import BaseCommand, CommandError

from jinseed.devtools.bench.import_sheets import import_refusal_measure


class Command(BaseCommand):
    help = (
        "Build post sheets of a few hundred kilobytes holding millions of empty cells (tall and wide, with and "
        "without a declared dimension), let the import read each, and print the time and memory until it is "
        "refused; exit 1 if one is accepted or takes longer than --seconds or more than --megabytes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cells", type=int, default=4_000_000, help="Empty cells per sheet (default 4,000,000).")
        parser.add_argument("--seconds", type=float, default=2.0, help="Longest time allowed (default 2).")
        parser.add_argument("--megabytes", type=float, default=100.0, help="Most extra memory allowed (default 100).")

    def handle(self, *args, cells, seconds, megabytes, **options):
        shapes = [("tall", cells // 25, 25), ("wide", cells // 16_000, 16_000)]
        self.stdout.write("sheet                  file KB  unpacked MB  seconds  python MB  rss +MB  verdict")
        failures = []
        for name, rows, columns in shapes:
            for declared in (True, False):
                label = f"{name}, {'declared' if declared else 'undeclared'}"
                run = import_refusal_measure(label=label, rows=rows, columns=columns, declare_dimension=declared)
                problems = []
                if run.code == "accepted":
                    problems.append("accepted")
                if run.seconds > seconds:
                    problems.append(f"slower than {seconds} s")
                if max(run.peak_python_mb, run.rss_growth_mb) > megabytes:
                    problems.append(f"more than {megabytes} MB")
                if problems:
                    failures.append(label)
                verdict = "FAIL: " + ", ".join(problems) if problems else f"ok ({run.code})"
                self.stdout.write(
                    f"{label:<21}  {run.file_bytes / 1024:>7.0f}  {run.unpacked_bytes / 1e6:>11.1f}  "
                    f"{run.seconds:>7.3f}  {run.peak_python_mb:>9.1f}  {run.rss_growth_mb:>7.1f}  {verdict}"
                )
        if failures:
            raise CommandError(f"Import limits failed: {', '.join(failures)}")
