"""District-scale data for ``bench_allocation``: random matching instances, written to the
database in bulk, then allocated and closed through the real services.

``seed_demo --students 100000 --posts 10000`` gives each student one to three applications,
mostly not interviewed and never ranked, so it cannot show the allocation at work. The bench
therefore builds its own cycle (titled ``bench allocation …``): ``random_instance`` decides
who lists which post (10 each by default) and how each post ranks its applicants, and the
rows are written with ``jinseed.devtools.bulk``. Everything it creates is removed by
``bench_cleanup``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random

from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from applicants.enums import ApplicationStatus as S
from applicants.enums import DegreeLevel, Gender
from applicants.models import Application, ApplicationEvent, StudentProfile
from jinseed.accounts.enums import Role
from jinseed.accounts.models import User
from jinseed.audit.models import StatusChange
from jinseed.devtools.bulk import bulk_delete, bulk_insert
from jinseed.notifications.models import Notification
from placements.models import AllocationRound, Interview, Offer
from placements.selection.matching import MatchingInstance
from positions.enums import CycleStatus, PostStatus, Season, TermType, Town, UnitKind
from positions.models import Cycle, HostUnit, Post

TITLE = "bench allocation"
EMAIL_DOMAIN = "alloc.bench.invalid"


# --- random instances (moved here from matching.py: only tests and benchmarks use them) -----


def random_instance(n_students: int, n_posts: int, prefs: int, seed: int) -> MatchingInstance:
    """A realistic random instance, the same for the same arguments.

    Students are ids ``1..n_students``, posts ``1..n_posts``. Posts differ in popularity
    (a few are wanted by many); each student lists ``min(prefs, n_posts)`` distinct posts,
    favouring popular ones. Each post interviews and ranks a random ~80 % of the students who
    listed it, in random order. Capacities are 1 to 12, and about one post in twenty has no
    place left (capacity 0).
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    posts = list(range(1, n_posts + 1))
    rng.shuffle(posts)
    cumulative = []
    total = 0.0
    for popularity_rank in range(1, n_posts + 1):
        total += 1.0 / popularity_rank**0.7
        cumulative.append(total)
    wanted = min(prefs, n_posts)

    preferences: dict[int, list[int]] = {}
    applicants: dict[int, list[int]] = {post: [] for post in range(1, n_posts + 1)}
    for student in range(1, n_students + 1):
        listed: dict[int, None] = {}
        while len(listed) < wanted:
            for post in rng.choices(posts, cum_weights=cumulative, k=2 * (wanted - len(listed))):
                listed[post] = None
        chosen = list(listed)[:wanted]
        preferences[student] = chosen
        for post in chosen:
            applicants[post].append(student)

    rankings: dict[int, list[int]] = {}
    capacities: dict[int, int] = {}
    for post in range(1, n_posts + 1):
        ranked = [student for student in applicants[post] if rng.random() < 0.8]
        rng.shuffle(ranked)
        rankings[post] = ranked
        capacities[post] = 0 if rng.random() < 0.05 else rng.randint(1, 12)
    return MatchingInstance(preferences=preferences, rankings=rankings, capacities=capacities)


# --- writing rows ---------------------------------------------------------------------------


def _next_ids(model) -> itertools.count:
    return itertools.count((model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1)


def _reset_sequences(models) -> None:
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
        # Fresh statistics, or PostgreSQL plans a million rows as if there were six.
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _sql_dt(value: dt.datetime):
    return value if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(value)


def _sql_date(value: dt.date):
    return connection.ops.adapt_datefield_value(value)


def bench_staff_member() -> User:
    """The bench's programme staff member (deleted with the bench data)."""
    user, _created = User.objects.get_or_create(
        email=f"staff@{EMAIL_DOMAIN}", defaults={"role": Role.STAFF, "is_staff": True}
    )
    return user


def bench_cycle(label: str) -> Cycle:
    """A fresh open cycle, interviews over, placements ahead, results announced in two days."""
    last = Cycle.objects.order_by("-year").values_list("year", flat=True).first() or 2030
    year = max(last + 1, 5000)
    now = timezone.now()
    return Cycle.objects.create(
        year=year,
        ordinal=year - 2011,
        title=f"{TITLE} {label} {year}",
        status=CycleStatus.OPEN,
        registration_opens_at=now - dt.timedelta(days=10),
        registration_closes_at=now - dt.timedelta(days=5),
        interviews_start_at=now - dt.timedelta(days=4),
        interviews_end_at=now - dt.timedelta(days=1),
        placement_starts_on=timezone.localdate() + dt.timedelta(days=20),
        placement_ends_on=timezone.localdate() + dt.timedelta(days=80),
        offer_valid_hours=72,
        # Results held until the announcement, as districts do: the messages wait in the outbox
        # for the sweeper instead of being delivered inline during the measurement.
        announcement_at=now + dt.timedelta(days=2),
    )


@transaction.atomic
def build_students(cycle: Cycle, n: int) -> list[int]:
    """``n`` student accounts and profiles for ``cycle``; returns the profile ids in order."""
    user_ids, profile_ids = _next_ids(User), _next_ids(StudentProfile)
    users, profiles = [], []
    graduation = _sql_date(dt.date(timezone.localdate().year + 3, 6, 30))
    birth = _sql_date(dt.date(2004, 1, 1))
    for i in range(n):
        user_id, profile_id = next(user_ids), next(profile_ids)
        users.append((user_id, "!", f"c{cycle.pk}-{i}@{EMAIL_DOMAIN}", f"压测{i}", Role.STUDENT, True))
        profiles.append(
            (
                profile_id,
                user_id,
                f"压测学生{i}",
                Gender.FEMALE,
                "bench",
                f"bench-{cycle.pk}-{i}",
                "310116********0000",
                birth,
                Town.ZHUJING,
                "压测大学",
                "测试",
                DegreeLevel.BACHELOR,
                2,
                graduation,
            )
        )
    bulk_insert(User, "id password email full_name role is_active", users)
    bulk_insert(
        StudentProfile,
        "id user legal_name gender id_number_encrypted id_number_digest id_number_masked birth_date hukou_town "
        "university major degree_level year_of_study expected_graduation",
        profiles,
    )
    _reset_sequences([User, StudentProfile])
    return [row[0] for row in profiles]


@transaction.atomic
def build_posts(cycle: Cycle, n: int, capacities: dict[int, int] | None = None) -> list[int]:
    """``n`` published posts over ``n // 100 + 1`` units; headcounts from ``capacities``
    (1-based post numbers; a capacity 0 becomes a headcount of 1: a post always has a place)."""
    units = HostUnit.objects.bulk_create(
        HostUnit(name=f"{TITLE} {cycle.pk} 单位{u}", kind=UnitKind.ENTERPRISE, town=Town.ZHUJING)
        for u in range(n // 100 + 1)
    )
    ids = _next_ids(Post)
    rows = []
    for i in range(n):
        headcount = max((capacities or {}).get(i + 1, 2), 1)
        rows.append(
            (
                next(ids),
                cycle.pk,
                units[i // 100].pk,
                f"压测岗位{i}",
                "压测",
                "压测",
                "",
                TermType.SHORT,
                Season.SUMMER,
                1,
                6,
                headcount,
                "金山区",
                _sql_date(cycle.placement_starts_on),
                _sql_date(cycle.placement_ends_on),
                PostStatus.PUBLISHED,
            )
        )
    bulk_insert(
        Post,
        "id cycle unit title description duties requirements term season min_year_of_study max_year_of_study "
        "headcount place_of_work starts_on ends_on status",
        rows,
    )
    _reset_sequences([Post])
    return [row[0] for row in rows]


@transaction.atomic
def build_allocation_cycle(*, n_students: int, n_posts: int, prefs: int, seed: int) -> tuple[Cycle, MatchingInstance]:
    """A cycle where every student applied to ``prefs`` posts and was interviewed on each;
    each post ranked ~80 % of its applicants (``random_instance``). Returns the cycle and the
    instance it holds, in the instance's ids (students and posts numbered from 1)."""
    drawn = random_instance(n_students, n_posts, prefs, seed)
    # A post always has a headcount of at least 1: a drawn capacity 0 becomes 1.
    instance = MatchingInstance(
        preferences=drawn.preferences,
        rankings=drawn.rankings,
        capacities={post: max(capacity, 1) for post, capacity in drawn.capacities.items()},
    )
    cycle = bench_cycle(f"{n_students}x{n_posts}")
    students = build_students(cycle, n_students)
    posts = build_posts(cycle, n_posts, dict(instance.capacities))
    rank_of = {}
    for post, ranked in instance.rankings.items():
        for position, student in enumerate(ranked, start=1):
            rank_of[(student, post)] = position
    base = timezone.now() - dt.timedelta(days=9)
    rows = []
    app_ids = _next_ids(Application)
    for student, listed in instance.preferences.items():
        submitted = _sql_dt(base + dt.timedelta(seconds=student))
        for preference, post in enumerate(listed, start=1):
            rows.append(
                (
                    next(app_ids),
                    students[student - 1],
                    posts[post - 1],
                    cycle.pk,
                    preference,
                    "压测",
                    S.INTERVIEWED,
                    S.INTERVIEWED,
                    rank_of.get((student, post)),
                    submitted,
                )
            )
    bulk_insert(
        Application,
        "id student post cycle preference_rank statement status published_status selection_rank submitted_at",
        rows,
    )
    _reset_sequences([Application])
    return cycle, instance


@transaction.atomic
def build_closing_cycle(*, n_applications: int, seed: int) -> Cycle:
    """A cycle of ``n_applications`` applications, four per student, spread over the statuses
    a close ends (submitted, shortlisted, interviewed) and some with an open offer."""
    rng = random.Random(seed)  # noqa: S311 - test data
    n_students = max(n_applications // 4, 1)
    n_posts = max(n_applications // 40, 10)
    cycle = bench_cycle(f"close {n_applications}")
    students = build_students(cycle, n_students)
    posts = build_posts(cycle, n_posts)
    app_ids = _next_ids(Application)
    applications, offers = [], []
    offered_posts: set[int] = set()
    now = timezone.now()
    chosen = [rng.sample(posts, 4) for _ in range(n_students)]  # distinct posts per student
    for i in range(n_applications):
        student = students[i % n_students]
        preference = i // n_students + 1
        post = chosen[i % n_students][(preference - 1) % 4]
        status = rng.choices([S.SUBMITTED, S.SHORTLISTED, S.INTERVIEWED, S.OFFERED], weights=[4, 3, 3, 1])[0]
        app_id = next(app_ids)
        if status == S.OFFERED:
            if post in offered_posts:  # one open offer per post (headcount 2): within capacity
                status = S.INTERVIEWED
            else:
                offered_posts.add(post)
                expires = _sql_dt(now + dt.timedelta(hours=72))
                offers.append((app_id, post, student, cycle.pk, "open", False, _sql_dt(now), expires))
        applications.append((app_id, student, post, cycle.pk, preference, "压测", status, status, _sql_dt(now)))
    bulk_insert(
        Application,
        "id student post cycle preference_rank statement status published_status submitted_at",
        applications,
    )
    bulk_insert(Offer, "application post student cycle status from_backup made_at expires_at", offers)
    _reset_sequences([Application])
    return cycle


def _analyze(models, *, vacuum: bool = False) -> None:
    """``[VACUUM] ANALYZE`` the tables of ``models``: on PostgreSQL, outside a transaction (a
    test's, for one) only; VACUUM cannot run inside one."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    command = "VACUUM ANALYZE" if vacuum else "ANALYZE"
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")


def bench_settle() -> None:
    """``VACUUM ANALYZE`` the tables just loaded (PostgreSQL; outside a transaction).

    Rows written a moment ago by COPY carry no hint bits and no visibility map: the first scan
    of them checks every row's transaction and rewrites every page, which no later scan does.
    Real applications were submitted weeks before an allocation, long since vacuumed; so is
    the bench's data before it is measured.
    """
    _analyze((User, StudentProfile, Post, Application, Offer), vacuum=True)
    bench_checkpoint()


def bench_checkpoint() -> bool:
    """``CHECKPOINT`` (PostgreSQL, when the role may): after it, the first change of each page
    writes the whole page to the WAL, as an allocation does weeks after the applications were
    written, instead of the cheaper record of a page changed a moment ago by the bench itself."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    try:
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError:  # neither superuser nor pg_checkpoint
        return False
    return True


def _audit_of(offers, rounds) -> Q:
    """The ``StatusChange`` rows of ``offers`` and ``rounds``."""
    kind = ContentType.objects.get_for_model
    return Q(content_type=kind(Offer), object_id__in=offers.values("pk")) | Q(
        content_type=kind(AllocationRound), object_id__in=rounds.values("pk")
    )


def bench_allocation_undo(cycle: Cycle) -> None:
    """Take back what allocating ``cycle`` made: its rounds, offers, their messages and audit;
    the applications return to INTERVIEWED. The same instance can then be allocated again
    (``bench_allocation`` measures ``allocate`` after the page's preview and confirmation)."""
    _analyze((Notification, StatusChange, Offer, ApplicationEvent))
    with transaction.atomic():
        apps = Application.objects.filter(cycle=cycle)
        offers = Offer.objects.filter(cycle=cycle)
        rounds = AllocationRound.objects.filter(cycle=cycle)
        bulk_delete(Notification.objects.filter(kind="offer_made", recipient__email__endswith=f"@{EMAIL_DOMAIN}"))
        bulk_delete(StatusChange.objects.filter(_audit_of(offers, rounds)))
        bulk_delete(offers)
        bulk_delete(ApplicationEvent.objects.filter(application__in=apps, to_status=S.OFFERED))
        apps.filter(status=S.OFFERED).update(status=S.INTERVIEWED, published_status=S.INTERVIEWED)
        rounds.delete()
    _analyze((Notification, StatusChange, Offer, ApplicationEvent, Application), vacuum=True)
    bench_checkpoint()


def bench_cleanup() -> int:
    """Delete every bench allocation cycle and what hangs off it; returns the cycles deleted."""
    cycles = list(Cycle.objects.filter(title__startswith=TITLE).values_list("pk", flat=True))
    if not cycles:
        return 0
    # The foreign keys are checked at the commit, once a deleted row: each check is planned from
    # the referencing table's statistics, and a table never analyzed since the bench filled it
    # looks empty, so each of a hundred thousand checks would scan it whole.
    _analyze((Notification, StatusChange, Offer, Interview, ApplicationEvent, Application, StudentProfile))
    with transaction.atomic():
        apps = Application.objects.filter(cycle_id__in=cycles)
        offers = Offer.objects.filter(cycle_id__in=cycles)
        users = User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
        bulk_delete(Notification.objects.filter(recipient__in=users))
        rounds = AllocationRound.objects.filter(cycle_id__in=cycles)
        bulk_delete(StatusChange.objects.filter(_audit_of(offers, rounds) | Q(actor__in=users)))
        bulk_delete(offers)
        bulk_delete(Interview.objects.filter(application__in=apps))
        bulk_delete(ApplicationEvent.objects.filter(application__in=apps))
        bulk_delete(apps)
        rounds.delete()
        bulk_delete(Post.objects.filter(cycle_id__in=cycles))
        HostUnit.objects.filter(name__startswith=TITLE).delete()
        bulk_delete(StudentProfile.objects.filter(user__in=users))
        bulk_delete(users)
        Cycle.objects.filter(pk__in=cycles).delete()
    # As autovacuum would in time: the next bench cycle reuses the space instead of doubling
    # every table and index it is measured on.
    _analyze(
        (Notification, StatusChange, Offer, Interview, ApplicationEvent, Application, Post, StudentProfile, User),
        vacuum=True,
    )
    return len(cycles)
