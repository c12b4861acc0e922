"""``manage.py bench_apply``: deadline-day application submits against a running portal.

Three uses, usually in this order (docs/performance.md, "Deadline-day submissions"):

    manage.py bench_apply --prepare 10000 --sessions var/bench-apply.json
    manage.py bench_apply --url https://127.0.0.1:8443 --sessions var/bench-apply.json \\
        --rates 10 20 40 60 80 120 --seconds 30 --insecure
    manage.py bench_apply --clean

``--prepare`` writes into the database of the settings it runs with, which must be the
server's (the same ``DATABASE_URL`` and ``SECRET_KEY``: the sessions are signed with it).
The run prints one line per rate and the highest rate that held (p95 at most 1 s, every
submission served: no error and no refusal). Besides the served submissions' latencies, a
line gives how long a refused student waited for the "busy, try again" page (``refusal p95
s``), how late the generator started its submissions against their schedule (``late s``,
p95) and the generator's own CPU share (``gen cpu``, 100 % is one core). A step whose
submissions started more than ``LATE_SECONDS`` late measured the generator, not the portal:
it is named at the end and never counts as held.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jinseed.devtools.bench import apply as bench

#: The columns of a step's line: title and width.
COLUMNS = [
    ("offered/s", 9),
    ("served/s", 8),
    ("served", 6),
    ("refused", 7),
    ("errors", 6),
    ("p50 s", 6),
    ("p95 s", 6),
    ("p99 s", 6),
    ("wall s", 6),
    ("refusal p95 s", 13),
    ("late s", 6),
    ("gen cpu", 7),
]


def step_line(step: bench.StepResult, seconds: float) -> str:
    p = bench.percentile
    values = [
        f"{step.offered / seconds:.1f}",
        f"{step.served_rate():.1f}",
        str(step.served),
        str(step.refused),
        str(step.error_count),
        f"{p(step.latencies, 0.5):.2f}",
        f"{p(step.latencies, 0.95):.2f}",
        f"{p(step.latencies, 0.99):.2f}",
        f"{step.wall:.1f}",
        f"{p(step.refusal_latencies, 0.95):.2f}",
        f"{p(step.lags, 0.95):.2f}",
        f"{step.generator_cpu_share():.0%}",
    ]
    kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(step.errors.items()))
    return " ".join(f"{value:>{width}}" for value, (_title, width) in zip(values, COLUMNS, strict=True)) + f"  {kinds}"


class Command(BaseCommand):
    help = "Submit applications at given rates (open loop) against a running portal and print the latencies."

    def add_arguments(self, parser):
        parser.add_argument("--prepare", type=int, metavar="N", help="Make N signed-in students and open posts.")
        parser.add_argument("--posts", type=int, default=40, help="Posts the students apply to (with --prepare).")
        parser.add_argument("--clean", action="store_true", help="Delete the bench data and stop.")
        parser.add_argument("--sessions", type=Path, default=Path("var/bench-apply.json"))
        parser.add_argument("--url", help="The portal's address, e.g. https://127.0.0.1:8443.")
        parser.add_argument("--rates", type=float, nargs="+", default=[10, 20, 40, 60, 80, 120])
        parser.add_argument("--seconds", type=float, default=30, help="How long each rate is offered.")
        parser.add_argument(
            "--timeout", type=float, default=30, help="A student's patience per submission (GET and POST), seconds."
        )
        parser.add_argument("--pause", type=float, default=10, help="Seconds between two rates.")
        parser.add_argument("--insecure", action="store_true", help="Accept a self-signed certificate.")

    def handle(self, *args, prepare, posts, clean, sessions, url, rates, seconds, timeout, pause, insecure, **options):
        if clean:
            self.stdout.write(f"removed {bench.bench_clean()} rows of bench students")
            return
        if prepare:
            data = bench.bench_prepare(students=prepare, posts=posts)
            sessions.parent.mkdir(parents=True, exist_ok=True)
            bench.data_write(sessions, data)
            self.stdout.write(f"prepared {prepare} students on {posts} posts; sessions in {sessions}")
            if not url:
                return
        if not url:
            raise CommandError("Give --url (a running portal) or --prepare N or --clean.")
        if not sessions.exists():
            raise CommandError(f"{sessions} does not exist: run --prepare first.")
        data = bench.data_read(sessions)
        needed = bench.students_needed(rates, seconds)
        if needed > len(data["students"]):
            raise CommandError(
                f"The rates need {needed} students; {sessions} has {len(data['students'])} left: run --prepare again."
            )
        # Each student submits once: the run's students leave the file before it starts, so
        # that the next run (even after this one is interrupted) goes on with fresh ones.
        bench.data_write(sessions, {**data, "students": data["students"][needed:]})
        self.stdout.write(" ".join(f"{title:>{width}}" for title, width in COLUMNS) + "  error kinds")
        best = None
        late: list[float] = []
        for step in bench.load_run(
            base=url, data=data, rates=rates, seconds=seconds, timeout=timeout, pause=pause, verify=not insecure
        ):
            self.stdout.write(step_line(step, seconds))
            if step.generator_late:
                late.append(step.rate)
            elif step.holds and (best is None or step.rate > best):
                best = step.rate
        held = "none" if best is None else f"{best:g}/s"
        self.stdout.write(f"held: {held} (p95 <= 1 s with every submission served)")
        if late:
            rates_late = ", ".join(f"{rate:g}/s" for rate in late)
            self.stdout.write(
                f"generator behind its schedule at {rates_late} (p95 of 'late s' over {bench.LATE_SECONDS:g} s): "
                "those lines measured this machine's load generator, not the portal; run it on another host"
            )
