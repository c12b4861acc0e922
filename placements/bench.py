"""Query-count cases of the unit workspace for ``manage.py bench_queries``.

The coordinator's applicant list and applicant page must not query per applicant: each is
measured with one and with many applicants on the post (``--rows 1 300``).
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from django.utils import timezone

from applicants.bench import BenchWorld, PageCase, register
from applicants.enums import ApplicationStatus, DegreeLevel, Gender
from applicants.identity import id_check_char
from applicants.models import Application, ApplicationEvent, StudentProfile
from jinseed.accounts.enums import Role
from positions.enums import PostStatus, Season, TermType, Town, UnitKind
from positions.models import HostUnit, Post, UnitCoordinator

from .models import Review, ReviewCriterion, ReviewScore


def unit_applicants_build(world: BenchWorld, n: int) -> None:
    """A unit with its coordinator and one post with ``n`` applicants, each with two history
    events and a review scored on two criteria."""
    User = get_user_model()
    unit = HostUnit.objects.create(name=f"bench {world.tag} unit", kind=UnitKind.TOWN, town=Town.ZHUJING)
    coordinator = User.objects.create_user(email=f"bench-{world.tag}-coord@bench.invalid", role=Role.COORDINATOR)
    UnitCoordinator.objects.create(user=coordinator, unit=unit)
    cycle = world.cycle
    post = Post.objects.create(
        cycle=cycle,
        unit=unit,
        title="bench post",
        description="bench",
        duties="bench",
        term=TermType.SHORT,
        season=Season.SUMMER,
        place_of_work="金山区",
        starts_on=cycle.placement_starts_on,
        ends_on=cycle.placement_ends_on,
        status=PostStatus.PUBLISHED,
        headcount=5,
    )
    unusable = make_password(None)
    users = User.objects.bulk_create(
        User(email=f"bench-{world.tag}-s{i}@bench.invalid", role=Role.STUDENT, password=unusable) for i in range(n)
    )
    profiles = []
    for i, user in enumerate(users):
        profile = StudentProfile(
            user=user,
            legal_name=f"学生{i}",
            gender=Gender.MALE if i % 2 else Gender.FEMALE,
            hukou_town=Town.ZHUJING,
            university="华东师范大学" if i % 2 else "复旦大学",
            major="汉语言文学",
            degree_level=DegreeLevel.BACHELOR,
            year_of_study=1 + i % 4,
            expected_graduation=dt.date(cycle.year + 2, 6, 30),
            consent_at=timezone.now(),
            consent_version="bench",
        )
        birth = dt.date(2002, 1, 1) + dt.timedelta(days=i // 900)
        first17 = f"310116{birth:%Y%m%d}{i % 900 + 100:03d}"
        profile.set_id_number(first17 + id_check_char(first17))
        profile.id_number_digest = f"{world.tag}-{i}"  # unique per bench run whatever is seeded
        profiles.append(profile)
    StudentProfile.objects.bulk_create(profiles)
    apps = Application.objects.bulk_create(
        Application(
            student=p,
            post=post,
            cycle=cycle,
            preference_rank=1,
            statement="bench",
            status=ApplicationStatus.SHORTLISTED if i % 2 else ApplicationStatus.SUBMITTED,
            published_status=ApplicationStatus.SHORTLISTED if i % 2 else ApplicationStatus.SUBMITTED,
            eligibility=[{"rule": "graduating", "code": "ok", "severity": "ok"}],
        )
        for i, p in enumerate(profiles)
    )
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(application=a, from_status=f, to_status=t, actor=coordinator if f else None)
        for a in apps
        for f, t in (("", ApplicationStatus.SUBMITTED), (ApplicationStatus.SUBMITTED, a.status))
    )
    criteria = [ReviewCriterion.objects.create(cycle=cycle, name=f"bench {k}", position=k) for k in range(2)]
    reviews = Review.objects.bulk_create(Review(application=a, reviewer=coordinator, average=4) for a in apps)
    ReviewScore.objects.bulk_create(ReviewScore(review=r, criterion=c, score=4) for r in reviews for c in criteria)
    world.extra.update(coordinator=coordinator, post=post, application=apps[0])


register(
    PageCase(
        name="Coordinator: applicants of a post",
        build=unit_applicants_build,
        viewer=lambda w: w.extra["coordinator"],
        url=lambda w: reverse("placements:post_applicants", args=[w.extra["post"].pk]),
    )
)
register(
    PageCase(
        name="Coordinator: applicant page",
        build=unit_applicants_build,
        viewer=lambda w: w.extra["coordinator"],
        url=lambda w: reverse("placements:application_detail", args=[w.extra["application"].pk]),
    )
)
