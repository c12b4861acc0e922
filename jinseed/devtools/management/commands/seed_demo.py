"""``manage.py seed_demo``: the demo data (see ``jinseed.devtools.demo.builder``)."""

import datetime as dt
import random
import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from applicants.models import Application
from jinseed.accounts.models import User
from jinseed.devtools.demo.builder import CST, YEAR, DemoBuilder, S, demo_counts, demo_years
from placements.models import FinalGrade
from positions.models import Cycle


class Command(BaseCommand):
    help = (
        "Load the demo cycle (the article's 2020 edition): host units, posts, students, applications in every "
        "status, interviews, placements and the demo accounts (password jinseed-demo-2020). Idempotent: does "
        "nothing when the demo is there. The 2020 calendar is moved by whole days so that --as-of (default now) "
        "is 20 June, the fifth day of the 9-day registration window: the cycle is open for registration, and "
        "named by the year of its registration dates (edition = year - 2011). --as-of 2020-06-20 gives the "
        "historical dates and names (2020, the 9th). The archived cycle of the year before comes with it: the "
        "demo student's completed, excellent placement and its certificate. --students 100000 --posts 10000 "
        "builds benchmark-sized data on an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, default=587, help="Student profiles (default 587).")
        parser.add_argument("--posts", type=int, default=270, help="Published posts (default 270).")
        parser.add_argument("--seed", type=int, default=YEAR, help="Random seed (default 2020).")
        parser.add_argument(
            "--as-of",
            default="",
            help="Date or datetime that plays 20 June 2020, the fifth day of registration (default: now).",
        )

    def handle(self, *args, students: int, posts: int, seed: int, as_of: str, verbosity: int = 1, **options):
        started = time.perf_counter()
        if students < 1 or posts < 10:
            raise CommandError("Use at least 1 student and 10 posts.")
        moment = _parse_as_of(as_of)
        year, _archive_year = demo_years(moment)
        existing = Cycle.objects.filter(year=year).first()
        if existing is None and User.objects.filter(email="staff@jinseed.demo").exists():
            # Seeded on another day: its cycles bear that day's year.
            existing = Cycle.objects.order_by("-year").first()
        if existing is not None:
            self.stdout.write(f"The demo cycle “{existing.title}” is already there: nothing to do.")
            if not existing.registration_is_open():
                self.stdout.write(
                    self.style.WARNING(
                        "Its registration window is not open now; start from an empty database to move it to today."
                    )
                )
            return
        builder = DemoBuilder(
            rng=random.Random(seed),
            n_students=students,
            n_posts=posts,
            as_of=moment,
            log=(lambda msg: self.stdout.write(msg)) if verbosity > 1 else (lambda msg: None),
        )
        with transaction.atomic():
            if connection.vendor == "sqlite":
                # Keep the whole transaction's pages in memory rather than spilling them early.
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA cache_size = -262144")
            builder.build()
        if connection.vendor == "postgresql":
            # Fresh planner statistics: after a bulk load PostgreSQL would misjudge every join.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded “{builder.cycle.title}” and the archived “{builder.archive.title}” in {elapsed:.1f} s:"
            )
        )
        for label, count in demo_counts().items():
            self.stdout.write(f"  {label:<34} {count:>8}")
        by_status = Counter(Application.objects.filter(cycle=builder.cycle).values_list("status", flat=True))
        self.stdout.write(
            f"  {builder.year} applications by status: " + ", ".join(f"{s} {by_status[s]}" for s in S.values)
        )
        grades = Counter(
            FinalGrade.objects.filter(placement__post__cycle=builder.archive).values_list("grade", flat=True)
        )
        self.stdout.write(
            f"  {builder.archive_year} (archived): {sum(grades.values())} completed placements, final grades "
            + ", ".join(f"{grade} {n}" for grade, n in sorted(grades.items()))
        )


def _parse_as_of(value: str) -> dt.datetime:
    if not value:
        return timezone.now()
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"--as-of: “{value}” is not a date or datetime (YYYY-MM-DD[ HH:MM]).")
        moment = dt.datetime.combine(day, dt.time(12), tzinfo=CST)
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=CST)
