"""Query-count cases of the unit workspace for ``manage.py bench_queries``.

The coordinator's applicant list and applicant page must not query per applicant (issue 4):
each is measured with one and with 300 applicants on the post, within 12 queries. Every
applicant looks like the one whose page is measured — well into the selection — so that
anything the page reads per review, event, interview or offer shows as growth.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from django.utils import timezone

from applicants.enums import ApplicationStatus, DegreeLevel, Gender
from applicants.identity import id_check_char
from applicants.models import Application, ApplicationEvent, StudentProfile
from jinseed.accounts.enums import Role
from jinseed.devtools.bench.pages import BenchWorld, PageCase, posts_build, register
from placements.models import Interview, InterviewSlot, Offer, Review, ReviewCriterion, ReviewScore
from placements.selection.enums import InterviewMode, InterviewOutcome, InterviewStatus, OfferStatus
from positions.enums import PostStatus, Season, TermType, Town, UnitKind
from positions.models import HostUnit, Post, UnitCoordinator

#: The coordinator's pages: issue 4 asks ≤ 12 queries with 1 and with 300 applicants.
COORDINATOR_BUDGET = 12
COORDINATOR_ROWS = (1, 300)

S = ApplicationStatus
#: The history of every bench applicant: submitted, shortlisted, interviewed, offered.
HISTORY = (
    (None, S.SUBMITTED),
    (S.SUBMITTED, S.SHORTLISTED),
    (S.SHORTLISTED, S.INTERVIEWED),
    (S.INTERVIEWED, S.OFFERED),
)


def unit_applicants_build(world: BenchWorld, n: int) -> None:
    """A unit with two coordinators and one post with ``n`` applicants, each with four history
    events, a review by each coordinator scored on two criteria, an attended interview in a
    slot the two held together, and an open offer."""
    User = get_user_model()
    unit = HostUnit.objects.create(name=f"bench {world.tag} unit", kind=UnitKind.TOWN, town=Town.ZHUJING)
    reviewers = [
        User.objects.create_user(email=f"bench-{world.tag}-coord{k}@bench.invalid", role=Role.COORDINATOR)
        for k in range(2)
    ]
    UnitCoordinator.objects.bulk_create(UnitCoordinator(user=user, unit=unit) for user in reviewers)
    coordinator = reviewers[0]
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
        headcount=n,  # every applicant holds an open offer
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
            status=S.OFFERED,
            published_status=S.OFFERED,
            selection_rank=i + 1,
            eligibility=[{"rule": "graduating", "code": "ok", "severity": "ok"}],
        )
        for i, p in enumerate(profiles)
    )
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(application=a, from_status=f or "", to_status=t, actor=coordinator if f else None)
        for a in apps
        for f, t in HISTORY
    )
    criteria = [ReviewCriterion.objects.create(cycle=cycle, name=f"bench {k}", position=k) for k in range(2)]
    reviews = Review.objects.bulk_create(
        Review(application=a, reviewer=reviewer, average=4, notes="bench") for a in apps for reviewer in reviewers
    )
    ReviewScore.objects.bulk_create(ReviewScore(review=r, criterion=c, score=4) for r in reviews for c in criteria)
    first_slot = cycle.interviews_start_at
    slots = InterviewSlot.objects.bulk_create(
        InterviewSlot(
            unit=unit,
            cycle=cycle,
            post=post,
            starts_at=first_slot + dt.timedelta(minutes=20 * i),
            duration_minutes=20,
            mode=InterviewMode.VIDEO,
            meeting_link="https://meeting.tencent.com/dm/1",
            created_by=coordinator,
        )
        for i in range(n)
    )
    InterviewSlot.interviewers.through.objects.bulk_create(
        InterviewSlot.interviewers.through(interviewslot=slot, user=user) for slot in slots for user in reviewers
    )
    interviews = Interview.objects.bulk_create(
        Interview(
            application=a,
            slot=slot,
            starts_at=slot.starts_at,
            duration_minutes=slot.duration_minutes,
            mode=slot.mode,
            meeting_link=slot.meeting_link,
            status=InterviewStatus.COMPLETED,
            score=85,
            outcome=InterviewOutcome.PASSED,
        )
        for a, slot in zip(apps, slots, strict=True)
    )
    Interview.interviewers.through.objects.bulk_create(
        Interview.interviewers.through(interview=interview, user=user) for interview in interviews for user in reviewers
    )
    now = timezone.now()
    Offer.objects.bulk_create(
        Offer(
            application=a,
            post=post,
            student_id=a.student_id,
            cycle=cycle,
            status=OfferStatus.OPEN,
            made_by=coordinator,
            made_at=now,
            expires_at=now + dt.timedelta(hours=cycle.offer_valid_hours),
        )
        for a in apps
    )
    world.extra.update(coordinator=coordinator, post=post, application=apps[0])


def student_selection_build(world: BenchWorld, n: int) -> None:
    """``n`` applications of the bench student, each on its own post, one in three of each
    kind: an offer to answer, a scheduled interview, still submitted."""
    posts = posts_build(world, n)
    kinds = (S.OFFERED, S.SHORTLISTED, S.SUBMITTED)
    apps = Application.objects.bulk_create(
        Application(
            student=world.student,
            post=post,
            cycle=world.cycle,
            preference_rank=i + 1,
            statement="bench",
            status=kinds[i % 3],
            published_status=kinds[i % 3],
        )
        for i, post in enumerate(posts)
    )
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(application=a, from_status=f or "", to_status=t)
        for a in apps
        for f, t in HISTORY[: {S.SUBMITTED: 1, S.SHORTLISTED: 2, S.OFFERED: 4}[a.status]]
    )
    starts = world.cycle.interviews_start_at
    Interview.objects.bulk_create(
        Interview(
            application=a,
            starts_at=starts + dt.timedelta(minutes=30 * i),
            mode=InterviewMode.VIDEO,
            meeting_link="https://meeting.tencent.com/dm/1",
        )
        for i, a in enumerate(apps)
        if a.status == S.SHORTLISTED
    )
    now = timezone.now()
    Offer.objects.bulk_create(
        Offer(
            application=a,
            post=a.post,
            student=world.student,
            cycle=world.cycle,
            made_at=now,
            expires_at=now + dt.timedelta(hours=world.cycle.offer_valid_hours),
        )
        for a in apps
        if a.status == S.OFFERED
    )


register(
    PageCase(
        name="My applications (offers, interviews)",
        build=student_selection_build,
        viewer=lambda w: w.student.user,
        url=lambda w: reverse("applicants:my_applications"),
    )
)
register(
    PageCase(
        name="Coordinator: applicants of a post",
        build=unit_applicants_build,
        viewer=lambda w: w.extra["coordinator"],
        url=lambda w: reverse("placements:post_applicants", args=[w.extra["post"].pk]),
        budget=COORDINATOR_BUDGET,
        rows=COORDINATOR_ROWS,
    )
)
register(
    PageCase(
        name="Coordinator: applicant page",
        build=unit_applicants_build,
        viewer=lambda w: w.extra["coordinator"],
        url=lambda w: reverse("placements:application_detail", args=[w.extra["application"].pk]),
        budget=COORDINATOR_BUDGET,
        rows=COORDINATOR_ROWS,
    )
)
register(
    PageCase(
        name="Coordinator: interview slots",
        build=unit_applicants_build,
        viewer=lambda w: w.extra["coordinator"],
        url=lambda w: reverse("placements:slot_list"),
        budget=COORDINATOR_BUDGET,
        rows=COORDINATOR_ROWS,
    )
)
