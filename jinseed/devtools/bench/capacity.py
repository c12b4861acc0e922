"""Concurrent offers and answers against posts, through the real services, to prove that a
post's OPEN + ACCEPTED offers never exceed its headcount. Used by ``manage.py bench_capacity``
and by the PostgreSQL test of the suite.

Every worker thread gets its own database connection (Django's connections are per thread)
and closes it when done; a semaphore caps how many are open at once so that the run fits
the server's ``max_connections`` (the workers still all start at the same instant).
"""

import datetime as dt
import threading
import time
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from applicants.enums import ApplicationStatus, DegreeLevel, Gender
from applicants.models import Application, StudentProfile
from jinseed.accounts.enums import Role
from jinseed.accounts.models import User
from jinseed.errors import DomainError
from placements.models import Offer
from placements.selection import services
from placements.selection.enums import HOLDING_OFFER_STATUSES, OfferStatus
from positions.enums import CycleStatus, PostStatus, Season, TermType, Town, UnitKind
from positions.models import Cycle, HostUnit, Post, UnitCoordinator

BENCH_UNIT = "容量压力测试单位"


@dataclass
class RoundResult:
    latencies: list[float] = field(default_factory=list)
    made: int = 0
    accepted: int = 0
    declined: int = 0
    refused: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **counts) -> None:
        with self.lock:
            for name, value in counts.items():
                if name == "latency":
                    self.latencies.append(value)
                elif name == "error":
                    self.errors.append(value)
                else:
                    setattr(self, name, getattr(self, name) + value)


def _id_number(n: int) -> str:
    from applicants.identity import id_check_char

    first17 = f"310116{dt.date(2001, 1, 1) + dt.timedelta(days=n // 900):%Y%m%d}{n % 900 + 100:03d}"
    return first17 + id_check_char(first17)


def bench_students(n: int, *, prefix: str = "bench") -> list[StudentProfile]:
    """``n`` student profiles for the bench, created once and reused by every round."""
    existing = list(StudentProfile.objects.filter(user__email__startswith=f"{prefix}-").order_by("pk")[:n])
    for i in range(len(existing), n):
        user = User(
            email=f"{prefix}-{i}@bench.invalid",
            role=Role.STUDENT,
            full_name=f"压测{i}",
            mobile=f"199{900_000 + i:08d}",
            mobile_verified_at=timezone.now(),
        )
        user.set_unusable_password()
        user.save()
        profile = StudentProfile(
            user=user,
            legal_name=f"压测学生{i}",
            gender=Gender.FEMALE,
            hukou_town=Town.ZHUJING,
            university="压测大学",
            major="测试",
            degree_level=DegreeLevel.BACHELOR,
            year_of_study=2,
            expected_graduation=dt.date(timezone.localdate().year + 3, 6, 30),
            consent_at=timezone.now(),
            consent_version="bench",
        )
        profile.set_id_number(_id_number(900_000 + i))
        profile.save()
        existing.append(profile)
    return existing


def bench_unit() -> tuple[HostUnit, User]:
    unit, _ = HostUnit.objects.get_or_create(
        name=BENCH_UNIT, defaults={"kind": UnitKind.ENTERPRISE, "town": Town.ZHUJING}
    )
    user, created = User.objects.get_or_create(
        email="bench-coordinator@bench.invalid", defaults={"role": Role.COORDINATOR, "full_name": "压测联络员"}
    )
    if created:
        user.set_unusable_password()
        user.save()
    UnitCoordinator.objects.get_or_create(user=user, defaults={"unit": unit})
    return unit, user


@transaction.atomic
def prepare_round(*, students: list[StudentProfile], unit: HostUnit, headcount: int) -> Post:
    """A fresh cycle (so earlier rounds' placements do not count) with one post and everyone
    interviewed and ranked on it."""
    last = Cycle.objects.order_by("-year").values_list("year", flat=True).first() or 2030
    year = max(last + 1, 3000)
    now = timezone.now()
    cycle = Cycle.objects.create(
        year=year,
        ordinal=year - 2011,
        title=f"bench {year}",
        status=CycleStatus.OPEN,
        registration_opens_at=now - dt.timedelta(days=10),
        registration_closes_at=now - dt.timedelta(days=5),
        interviews_start_at=now - dt.timedelta(days=4),
        interviews_end_at=now - dt.timedelta(days=1),
        placement_starts_on=timezone.localdate() + dt.timedelta(days=20),
        placement_ends_on=timezone.localdate() + dt.timedelta(days=60),
    )
    post = Post.objects.create(
        cycle=cycle,
        unit=unit,
        title=f"压测岗位 {year}",
        description="-",
        duties="-",
        term=TermType.SHORT,
        season=Season.SUMMER,
        headcount=headcount,
        place_of_work="金山",
        starts_on=cycle.placement_starts_on,
        ends_on=cycle.placement_ends_on,
        status=PostStatus.PUBLISHED,
    )
    Application.objects.bulk_create(
        Application(
            student=s,
            post=post,
            cycle=cycle,
            preference_rank=1,
            statement="-",
            status=ApplicationStatus.INTERVIEWED,
            published_status=ApplicationStatus.INTERVIEWED,
            selection_rank=i,
        )
        for i, s in enumerate(students, start=1)
    )
    return post


def _attempt(index: int, application: Application, actor, result: RoundResult) -> None:
    """One worker: offer to its applicant; if that wins a place, answer it at once.

    Every fourth winner declines (the place passes to the next backup inside the services,
    competing with the other offers), every other one accepts.
    """
    started = time.perf_counter()
    try:
        offer = services.offer_make(application=application, actor=actor)
    except DomainError:
        result.add(refused=1, latency=time.perf_counter() - started)
        return
    result.add(made=1, latency=time.perf_counter() - started)
    student_user = User.objects.get(student_profile__pk=application.student_id)
    started = time.perf_counter()
    try:
        if index % 4 == 1:
            services.offer_decline(offer=offer, actor=student_user)
            result.add(declined=1)
        elif index % 2 == 0:
            services.offer_accept(offer=offer, actor=student_user)
            result.add(accepted=1)
    except DomainError:
        result.add(refused=1)
    result.add(latency=time.perf_counter() - started)


def run_round(*, post: Post, actor, concurrency: int, max_connections: int) -> RoundResult:
    applications = list(Application.objects.filter(post=post).order_by("selection_rank")[:concurrency])
    result = RoundResult()
    barrier = threading.Barrier(len(applications))
    gate = threading.BoundedSemaphore(max_connections)

    def worker(i: int, app: Application) -> None:
        try:
            barrier.wait(timeout=60)
            with gate:
                try:
                    _attempt(i, app, actor, result)
                finally:
                    connection.close()
        except Exception as exc:  # any unexpected failure is what the bench counts
            result.add(error=f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=worker, args=(i, app)) for i, app in enumerate(applications)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return result


def overfilled_posts(post_ids) -> list[int]:
    """Posts whose OPEN + ACCEPTED offers exceed the headcount (must always be empty)."""
    rows = (
        Post.objects.filter(pk__in=list(post_ids))
        .annotate(holding=Count("offers", filter=Q(offers__status__in=HOLDING_OFFER_STATUSES)))
        .values_list("pk", "holding", "headcount")
    )
    return [pk for pk, holding, headcount in rows if holding > headcount]


def accepted_count(post: Post) -> int:
    return Offer.objects.filter(post=post, status=OfferStatus.ACCEPTED).count()


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``values``; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
