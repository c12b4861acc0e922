"""``manage.py bench_apply``: deadline-day application submits against a running portal.

Three uses, usually in this order (docs/performance.md, "Deadline-day submissions"):

    manage.py bench_apply --prepare 10000 --sessions var/bench-apply.json
    manage.py bench_apply --url https://127.0.0.1:8443 --sessions var/bench-apply.json \\
        --rates 10 20 40 60 80 120 --seconds 30 --insecure
    manage.py bench_apply --clean

``--prepare`` writes into the database of the settings it runs with, which must be the
server's (the same ``DATABASE_URL`` and ``SECRET_KEY``: the sessions are signed with it).
The run prints one line per rate and the highest rate that held (p95 at most 1 s, every
submission served: no error and no refusal).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jinseed.devtools.bench import apply as bench


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
            raise CommandError(f"The rates need {needed} students; {sessions} has {len(data['students'])}.")
        self.stdout.write(
            f"{'offered/s':>9} {'served/s':>8} {'served':>6} {'refused':>7} {'errors':>6} "
            f"{'p50 s':>6} {'p95 s':>6} {'p99 s':>6} {'wall s':>6}  error kinds"
        )
        best = None
        for step in bench.load_run(
            base=url, data=data, rates=rates, seconds=seconds, timeout=timeout, pause=pause, verify=not insecure
        ):
            kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(step.errors.items()))
            self.stdout.write(
                f"{step.offered / seconds:9.1f} {step.served_rate():8.1f} {step.served:6d} {step.refused:7d} "
                f"{step.error_count:6d} {bench.percentile(step.latencies, 0.5):6.2f} "
                f"{bench.percentile(step.latencies, 0.95):6.2f} {bench.percentile(step.latencies, 0.99):6.2f} "
                f"{step.wall:6.1f}  {kinds}"
            )
            if step.holds and (best is None or step.rate > best):
                best = step.rate
        held = "none" if best is None else f"{best:g}/s"
        self.stdout.write(f"held: {held} (p95 <= 1 s with every submission served)")
