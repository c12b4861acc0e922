"""Builders for the office tests: cycles full of students, written in bulk."""

import datetime as dt
import itertools

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from applicants.enums import ApplicationStatus
from applicants.models import Application, ApplicationEvent, StudentProfile
from jinseed.accounts.enums import Role
from jinseed.accounts.models import User
from placements.cultivation.enums import Grade
from placements.models import FinalGrade, Group, GroupMembership, Placement
from placements.selection.enums import PlacementStatus
from positions.enums import CycleStatus
from positions.models import Cycle
from tests import factories

_serial = itertools.count(1)
PASSWORD = make_password("x")


def make_cycle(year: int, **kwargs) -> Cycle:
    return factories.CycleFactory(year=year, ordinal=year - 2011, **kwargs)


def fill_cycle(cycle: Cycle, n_students: int, *, placed: int = 0, universities: int = 5, post=None) -> list[Placement]:
    """``n_students`` students with one application each to ``post`` (one is made), the first
    ``placed`` of them accepted, placed, completed and graded; one group of the placed."""
    post = post or factories.PostFactory(cycle=cycle, headcount=max(placed, 1))
    start = next(_serial) * 100000
    users = User.objects.bulk_create(
        User(
            email=f"bulk{start + i}@example.cn",
            mobile=f"137{start + i:08d}"[:11],
            full_name=f"学生{start + i}",
            role=Role.STUDENT,
            password=PASSWORD,
            date_joined=cycle.registration_opens_at,
        )
        for i in range(n_students)
    )
    profiles = []
    for i, user in enumerate(users):
        profile = StudentProfile(
            user=user,
            legal_name=f"学生{start + i}",
            gender="F",
            hukou_town="zhujing" if i % 2 else "fengjing",
            university=f"大学{i % universities}",
            university_overseas=i % universities == 0,
            major="汉语言文学",
            degree_level="bachelor",
            year_of_study=2,
            expected_graduation=dt.date(cycle.year + 2, 6, 30),
            consent_at=timezone.now(),
        )
        profile.set_id_number(
            factories.make_id_number(
                i % 1000, birth=dt.date(1990, 1, 1) + dt.timedelta(days=start // 100000 * 3 + i // 1000)
            )
        )
        profiles.append(profile)
    profiles = StudentProfile.objects.bulk_create(profiles)
    S = ApplicationStatus
    apps = Application.objects.bulk_create(
        Application(
            student=p,
            post=post,
            cycle=cycle,
            preference_rank=1,
            statement="我想回家乡锻炼。",
            status=S.ACCEPTED if i < placed else S.SUBMITTED,
            published_status=S.ACCEPTED if i < placed else S.SUBMITTED,
        )
        for i, p in enumerate(profiles)
    )
    path = [S.SUBMITTED, S.SHORTLISTED, S.INTERVIEWED, S.OFFERED, S.ACCEPTED]
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(application=a, from_status=before, to_status=after)
        for i, a in enumerate(apps)
        for before, after in zip(["", *path], path if i < placed else path[:1], strict=False)
    )
    placements = Placement.objects.bulk_create(
        Placement(
            application=a,
            student=a.student,
            post=post,
            term=post.term,
            starts_on=post.starts_on,
            ends_on=post.ends_on,
            status=PlacementStatus.COMPLETED,
        )
        for a in apps[:placed]
    )
    FinalGrade.objects.bulk_create(
        FinalGrade(placement=p, grade=Grade.EXCELLENT if i % 4 == 0 else Grade.GOOD) for i, p in enumerate(placements)
    )
    if placements:
        group = Group.objects.create(cycle=cycle, number=1, name="第1组")
        GroupMembership.objects.bulk_create(GroupMembership(group=group, placement=p) for p in placements)
    return placements


def archive(cycle: Cycle, *, ended_on: dt.date) -> Cycle:
    """Put ``cycle`` straight into archived, its placements ended on ``ended_on`` (test setup only)."""
    Cycle.objects.filter(pk=cycle.pk).update(
        status=CycleStatus.ARCHIVED, placement_starts_on=ended_on - dt.timedelta(days=60), placement_ends_on=ended_on
    )
    cycle.refresh_from_db()
    return cycle
