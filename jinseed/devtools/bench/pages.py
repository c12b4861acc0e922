"""Query-count cases for ``manage.py bench_queries``.

A *case* is one page: how to build ``n`` rows of what the page lists, who looks at it and
its URL. Every app may add its own cases in a ``bench.py`` module, which the command
discovers the way the admin discovers ``admin.py``::

    # placements/bench.py
    from jinseed.devtools.bench.pages import PageCase, register
    register(PageCase(name="Coordinator: applicants", build=..., viewer=..., url=..., budget=12, rows=(1, 300)))

Each case carries its own query budget and the two sizes it is measured with, as the issue
asking for the page set them: student pages ≤ 10 queries with 1 and 200 rows, the
coordinator's pages ≤ 12 with 1 and 300 applicants. The whole request is counted, the nav's
unread-message badge included.

Cases run inside a transaction that is rolled back, on top of whatever data is there
(seeded or empty), so a bench run leaves the database as it found it.
"""

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from applicants.enums import ApplicationStatus, DegreeLevel, Gender
from applicants.identity import digest_id_number, id_check_char
from applicants.models import Application, ApplicationEvent, StudentProfile
from jinseed.accounts.models import Consent
from positions.enums import CycleStatus, PostStatus, Season, TermType, Town, UnitKind
from positions.models import Cycle, HostUnit, Post


@dataclass
class BenchWorld:
    """What every case starts from: a fresh open cycle (the newest, so it is the current one)
    and a student with a complete profile. Cases add their rows and keep them in ``extra``."""

    cycle: Cycle
    student: StudentProfile
    tag: str
    extra: dict = field(default_factory=dict)


#: What a page may cost unless its case says otherwise (issue 3: the student's pages).
DEFAULT_BUDGET = 10
DEFAULT_ROWS = (1, 200)


@dataclass(frozen=True)
class PageCase:
    """One page: ``build(world, n)`` adds ``n`` rows of what it lists, ``viewer(world)`` is who
    looks (``None``: anonymous), ``url(world)`` where. It passes when it needs at most
    ``budget`` queries with each of ``rows`` (few, many) and no more with many than with few.
    """

    name: str
    build: Callable[[BenchWorld, int], None]
    viewer: Callable[[BenchWorld], object | None]
    url: Callable[[BenchWorld], str]
    budget: int = DEFAULT_BUDGET
    rows: tuple[int, int] = DEFAULT_ROWS


CASES: list[PageCase] = []


def register(case: PageCase) -> PageCase:
    CASES.append(case)
    return case


def _free_id_number() -> str:
    while True:
        birth = dt.date(2001, 1, 1) + dt.timedelta(days=secrets.randbelow(1500))
        first17 = f"310116{birth:%Y%m%d}{secrets.randbelow(1000):03d}"
        number = first17 + id_check_char(first17)
        if not StudentProfile.objects.filter(id_number_digest=digest_id_number(number)).exists():
            return number


def world_build() -> BenchWorld:
    now = timezone.now()
    tag = secrets.token_hex(4)
    latest = Cycle.objects.aggregate(year=Max("year"), ordinal=Max("ordinal"))
    year = max(latest["year"] or now.year, now.year) + 1
    cycle = Cycle.objects.create(
        year=year,
        ordinal=(latest["ordinal"] or 0) + 1,
        title=f"bench {tag}",
        status=CycleStatus.OPEN,
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=8),
        interviews_start_at=now + dt.timedelta(days=9),
        interviews_end_at=now + dt.timedelta(days=15),
        placement_starts_on=timezone.localdate() + dt.timedelta(days=20),
        placement_ends_on=timezone.localdate() + dt.timedelta(days=80),
        max_applications=200,
    )
    user = get_user_model().objects.create_user(
        email=f"bench-{tag}@bench.invalid", password=None, mobile_verified_at=now
    )
    Consent.objects.create(user=user, kind=Consent.Kind.PRIVACY_NOTICE, version=settings.PRIVACY_NOTICE_VERSION)
    student = StudentProfile(
        user=user,
        legal_name="基准测试",
        gender=Gender.FEMALE,
        hukou_town=Town.ZHUJING,
        university="华东师范大学",
        major="汉语言文学",
        degree_level=DegreeLevel.BACHELOR,
        year_of_study=2,
        expected_graduation=dt.date(year + 2, 6, 30),
        consent_at=now,
        consent_version="bench",
    )
    student.set_id_number(_free_id_number())
    student.save()
    return BenchWorld(cycle=cycle, student=student, tag=tag)


def posts_build(world: BenchWorld, n: int) -> list[Post]:
    """``n`` published posts, each of its own unit, in the bench cycle."""
    units = HostUnit.objects.bulk_create(
        HostUnit(
            name=f"bench {world.tag} unit {i}",
            kind=list(UnitKind)[i % len(UnitKind)],
            town=list(Town)[i % len(Town)],
        )
        for i in range(n)
    )
    cycle = world.cycle
    posts = Post.objects.bulk_create(
        Post(
            cycle=cycle,
            unit=unit,
            title=f"bench post {i}",
            description="bench",
            duties="bench",
            term=TermType.SHORT if i % 2 else TermType.LONG,
            season=Season.SUMMER if i % 2 else "",
            min_year_of_study=1,
            max_year_of_study=6,
            place_of_work="金山区",
            starts_on=cycle.placement_starts_on,
            ends_on=cycle.placement_ends_on,
            status=PostStatus.PUBLISHED,
            published_at=timezone.now(),
        )
        for i, unit in enumerate(units)
    )
    world.extra["posts"] = posts
    return posts


def applications_build(world: BenchWorld, n: int) -> None:
    """``n`` applications of the bench student with one history event each; a third are
    still active, the rest in final states, as a long-standing student's list would be."""
    posts = posts_build(world, n)
    finals = [ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN, ApplicationStatus.NOT_SELECTED]
    apps = Application.objects.bulk_create(
        Application(
            student=world.student,
            post=post,
            cycle=world.cycle,
            preference_rank=i + 1,
            statement="bench",
            status=(ApplicationStatus.SUBMITTED if i % 3 == 0 else finals[i % 3]),
            published_status=(ApplicationStatus.SUBMITTED if i % 3 == 0 else finals[i % 3]),
        )
        for i, post in enumerate(posts)
    )
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(application=a, from_status="", to_status=ApplicationStatus.SUBMITTED) for a in apps
    )


register(
    PageCase(
        name="Post list",
        build=posts_build,
        viewer=lambda w: w.student.user,
        url=lambda w: reverse("post_list"),
    )
)
register(
    PageCase(
        name="Post list (anonymous, filtered)",
        build=posts_build,
        viewer=lambda w: None,
        url=lambda w: reverse("post_list") + "?term=long&q=bench",
    )
)
register(
    PageCase(
        name="Post detail",
        build=posts_build,
        viewer=lambda w: w.student.user,
        url=lambda w: reverse("post_detail", args=[w.extra["posts"][0].pk]),
    )
)
register(
    PageCase(
        name="My applications",
        build=applications_build,
        viewer=lambda w: w.student.user,
        url=lambda w: reverse("applicants:my_applications"),
    )
)
