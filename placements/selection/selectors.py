"""Reads of the selection, scoped and joined so that pages never query per row."""

import datetime as dt
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from django.conf import settings
from django.db.models import Avg, Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from applicants.enums import ApplicationStatus
from applicants.models import Application, ApplicationEvent, StudentProfile
from jinseed.accounts.models import User
from jinseed.jobs.models import Job
from jinseed.logmask import mask_mobile
from placements.models import AllocationRound, Interview, InterviewSlot, Offer, Review, ReviewCriterion, ReviewScore
from placements.selection.enums import (
    HOLDING_OFFER_STATUSES,
    RANKABLE_APPLICATION_STATUSES,
    AllocationStatus,
    InterviewStatus,
    OfferStatus,
)
from placements.selection.filters import ApplicantFilter
from positions.enums import CycleStatus, PostStatus
from positions.models import Cycle, HostUnit, Post


def unit_posts(*, unit: HostUnit) -> QuerySet[Post]:
    """The unit's posts, newest cycle first, with applicant and offer counts."""
    return (
        Post.objects.filter(unit=unit)
        .select_related("cycle")
        .annotate(
            applicant_count=Count("applications", distinct=True),
            open_offer_count=Count("offers", filter=Q(offers__status=OfferStatus.OPEN), distinct=True),
            accepted_count=Count("offers", filter=Q(offers__status=OfferStatus.ACCEPTED), distinct=True),
        )
        .order_by("-cycle__year", "title")
    )


def unit_post_get(*, unit: HostUnit, pk: int) -> Post:
    return get_object_or_404(Post.objects.select_related("cycle", "unit"), pk=pk, unit=unit)


def post_status_counts(*, post: Post) -> dict[str, int]:
    """How many of the post's applications are in each status (every status present, zeros too)."""
    rows = Application.objects.filter(post=post).values_list("status").annotate(n=Count("id")).order_by()
    counts = dict.fromkeys(ApplicationStatus.values, 0)
    counts.update(dict(rows))
    return counts


def post_applications(*, post: Post) -> QuerySet[Application]:
    """The post's applicants with their reviews' average, in the unit's order.

    The reviews are read per applicant (subqueries) rather than joined and grouped: the list is
    shown a page at a time, and PostgreSQL then reads the reviews of that page's 50 applicants
    only, after sorting, instead of grouping every applicant of the post (docs/performance.md).
    """
    reviews = Review.objects.filter(application=OuterRef("pk")).order_by().values("application")
    return (
        Application.objects.filter(post=post)
        .select_related("student")
        .annotate(
            review_average=Subquery(reviews.annotate(a=Avg("average")).values("a")),
            review_count=Coalesce(Subquery(reviews.annotate(n=Count("pk")).values("n")), 0),
            has_offer=Exists(Offer.objects.filter(application=OuterRef("pk"), status__in=HOLDING_OFFER_STATUSES)),
        )
        .order_by("selection_rank", "preference_rank", "submitted_at", "pk")
    )


def post_applicants_filtered(*, post: Post, params: dict[str, Any]) -> ApplicantFilter:
    """``post_applications`` through the coordinator's filter (``params``: the query string);
    ``.qs`` is the list, ``.form`` the filter form. An invalid filter value is ignored."""
    return ApplicantFilter(params or None, queryset=post_applications(post=post))


def unit_application_get(*, unit: HostUnit, pk: int) -> Application:
    """One applicant of the unit with everything the applicant page shows."""
    qs = Application.objects.select_related("post__unit", "post__cycle", "cycle", "student__user").prefetch_related(
        Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor").order_by("created_at", "id")),
        Prefetch(
            "reviews",
            queryset=Review.objects.select_related("reviewer").prefetch_related(
                Prefetch("scores", queryset=ReviewScore.objects.select_related("criterion"))
            ),
        ),
    )
    application = get_object_or_404(qs, pk=pk, post__unit=unit)
    # Interviews exist only from the shortlist on, offers only from "offer made" on: an
    # applicant still waiting for review costs no query for them.
    interviews: list[Interview] = []
    offers: list[Offer] = []
    if application.status != ApplicationStatus.SUBMITTED:
        interviews = list(application.interviews.order_by("starts_at"))
        if application.status in OFFER_STATUSES:
            offers = list(application.offers.order_by("-made_at"))
    # The page reads these two lists; they are not model fields.
    application.interview_list = interviews  # type: ignore[attr-defined]
    application.offer_list = offers  # type: ignore[attr-defined]
    return application


OFFER_STATUSES = frozenset({ApplicationStatus.OFFERED, ApplicationStatus.ACCEPTED, ApplicationStatus.DECLINED})


def cycle_criteria(*, cycle: Cycle) -> list[ReviewCriterion]:
    return list(ReviewCriterion.objects.filter(cycle=cycle))


def unit_slots(*, unit: HostUnit, upcoming_only: bool = False) -> QuerySet[InterviewSlot]:
    live = Interview.objects.filter(status=InterviewStatus.SCHEDULED).select_related("application__student")
    qs = (
        InterviewSlot.objects.filter(unit=unit)
        .select_related("post", "cycle")
        .prefetch_related("interviewers", Prefetch("interviews", queryset=live, to_attr="live_interviews"))
        .order_by("starts_at", "pk")
    )
    if upcoming_only:
        qs = qs.filter(starts_at__gte=timezone.now(), is_cancelled=False)
    return qs


def unit_slot_timetable(*, unit: HostUnit) -> QuerySet[InterviewSlot]:
    """Every slot of the unit for its interviews page: the newest cycle's first, each cycle's
    in the order they happen (a page at a time: the slots of past cycles stay)."""
    return unit_slots(unit=unit).order_by("-cycle__year", "starts_at", "pk")


def unit_slot_get(*, unit: HostUnit, pk: int) -> InterviewSlot:
    all_interviews = Interview.objects.select_related("application__student", "application__post").order_by("pk")
    qs = (
        InterviewSlot.objects.select_related("post", "cycle")
        .prefetch_related("interviewers", Prefetch("interviews", queryset=all_interviews))
        .filter(unit=unit)
    )
    return get_object_or_404(qs, pk=pk)


def unit_interview_get(*, unit: HostUnit, pk: int) -> Interview:
    qs = Interview.objects.select_related("application__student", "application__post", "slot").prefetch_related(
        "interviewers"
    )
    return get_object_or_404(qs, pk=pk, application__post__unit=unit)


def unit_applications_to_invite(*, unit: HostUnit, slot: InterviewSlot) -> QuerySet[Application]:
    """Shortlisted applicants the slot fits who have no interview booked yet."""
    qs = Application.objects.filter(post__unit=unit, cycle=slot.cycle, status=ApplicationStatus.SHORTLISTED).exclude(
        interviews__status=InterviewStatus.SCHEDULED
    )
    if slot.post_id:
        qs = qs.filter(post_id=slot.post_id)
    return qs.select_related("student", "post").order_by("post__title", "student__legal_name")


def unit_interviewer_choices(*, unit: HostUnit) -> QuerySet[User]:
    """People who may sit on the unit's panels: its coordinators and mentors."""
    return User.objects.filter(Q(coordinator__unit=unit) | Q(mentor__unit=unit), is_active=True).order_by("full_name")


def post_ranking(*, post: Post) -> QuerySet[Application]:
    """Interviewed applicants of the post, ranked first, with their interview score and offer."""
    return (
        Application.objects.filter(post=post, status__in=[*RANKING_STATUSES])
        .select_related("student")
        .annotate(
            interview_score=Avg("interviews__score", filter=Q(interviews__status=InterviewStatus.COMPLETED)),
            review_average=Avg("reviews__average"),
        )
        .prefetch_related(Prefetch("offers", queryset=Offer.objects.order_by("-made_at")))
        # Ranked applicants first on every database (SQLite sorts NULL first, PostgreSQL last).
        .order_by(F("selection_rank").asc(nulls_last=True), F("interview_score").desc(nulls_last=True), "pk")
    )


RANKING_STATUSES = RANKABLE_APPLICATION_STATUSES


# --- students ---------------------------------------------------------------------------------------


def student_profile_of(user: User) -> StudentProfile | None:
    try:
        return user.student_profile
    except StudentProfile.DoesNotExist:
        return None


def student_visible_offers(*, student: StudentProfile, at: datetime | None = None) -> QuerySet[Offer]:
    """The student's offers they may see now: a held offer stays hidden until the announcement."""
    at = at or timezone.now()
    return (
        Offer.objects.filter(student=student)
        .exclude(cycle__announcement_at__gt=at)
        .select_related("post__unit", "cycle", "application")
        .order_by("-made_at")
    )


def student_bookable(*, student: StudentProfile) -> list[tuple[Application, list[InterviewSlot]]]:
    """Each shortlisted application without an interview, with the open slots it may book."""
    apps = list(
        Application.objects.filter(student=student, status=ApplicationStatus.SHORTLISTED)
        .exclude(interviews__status=InterviewStatus.SCHEDULED)
        .select_related("post__unit")
    )
    if not apps:
        return []
    slots = list(
        InterviewSlot.objects.filter(
            self_booking=True,
            is_cancelled=False,
            starts_at__gt=timezone.now(),
            unit_id__in={a.post.unit_id for a in apps},
        )
        .annotate(booked=Count("interviews", filter=Q(interviews__status=InterviewStatus.SCHEDULED)))
        .order_by("starts_at")
    )
    return [
        (
            app,
            [
                s
                for s in slots
                if s.unit_id == app.post.unit_id and s.post_id in (None, app.post_id) and s.booked < s.capacity
            ],
        )
        for app in apps
    ]


def student_interviews(*, student: StudentProfile) -> QuerySet[Interview]:
    return (
        Interview.objects.filter(application__student=student, status=InterviewStatus.SCHEDULED)
        .select_related("application__post__unit", "slot")
        .order_by("starts_at")
    )


def student_interviews_changeable(*, student: StudentProfile, at: datetime | None = None) -> list[Interview]:
    """The student's scheduled interviews; one they booked themselves, still more than
    ``INTERVIEW_STUDENT_CHANGE_HOURS`` away, carries ``can_change`` and ``move_to`` (the
    other bookable times of its unit and post)."""
    at = at or timezone.now()
    interviews = list(student_interviews(student=student))
    cutoff = at + dt.timedelta(hours=settings.INTERVIEW_STUDENT_CHANGE_HOURS)
    # What the page shows beside each interview; not model fields.
    changeable = []
    for interview in interviews:
        can_change = bool(interview.slot and interview.slot.self_booking and interview.starts_at > cutoff)
        interview.can_change = can_change  # type: ignore[attr-defined]
        interview.move_to = []  # type: ignore[attr-defined]
        if can_change:
            changeable.append(interview)
    if changeable:
        slots = list(
            InterviewSlot.objects.filter(
                self_booking=True,
                is_cancelled=False,
                starts_at__gt=at,
                unit_id__in={i.application.post.unit_id for i in changeable},
            )
            .annotate(booked=Count("interviews", filter=Q(interviews__status=InterviewStatus.SCHEDULED)))
            .order_by("starts_at")
        )
        for interview in changeable:
            post = interview.application.post
            interview.move_to = [  # type: ignore[attr-defined]
                s
                for s in slots
                if s.unit_id == post.unit_id
                and s.post_id in (None, post.pk)
                and s.pk != interview.slot_id
                and s.booked < s.capacity
            ]
    return interviews


# --- staff overview ---------------------------------------------------------------------------------


@dataclass
class OfferConflict:
    """A student two units want: several open offers, or an open one while accepted elsewhere."""

    student: StudentProfile
    offers: list[Offer] = field(default_factory=list)

    @property
    def mobile_masked(self) -> str:
        return mask_mobile(self.student.user.mobile or "")

    @property
    def open_count(self) -> int:
        return sum(1 for o in self.offers if o.status == OfferStatus.OPEN)

    @property
    def accepted_elsewhere(self) -> bool:
        return any(o.status == OfferStatus.ACCEPTED for o in self.offers)


def offer_conflicts(*, cycle: Cycle) -> list[OfferConflict]:
    """The cycle's students holding more than one open offer, or an open offer while they
    accepted another, with those offers (post, unit, status, deadline): one query."""
    conflicted = (
        Offer.objects.filter(cycle=cycle, status__in=HOLDING_OFFER_STATUSES)
        .order_by()
        .values("student")
        .annotate(
            open_n=Count("id", filter=Q(status=OfferStatus.OPEN)),
            accepted_n=Count("id", filter=Q(status=OfferStatus.ACCEPTED)),
        )
        .filter(Q(open_n__gte=2) | Q(open_n__gte=1, accepted_n__gte=1))
        .values("student")
    )
    offers = (
        Offer.objects.filter(cycle=cycle, status__in=HOLDING_OFFER_STATUSES, student__in=conflicted)
        .select_related("student__user", "post__unit")
        .order_by("student__legal_name", "student_id", "status", "expires_at", "pk")
    )
    conflicts: dict[int, OfferConflict] = {}
    for offer in offers:
        conflicts.setdefault(offer.student_id, OfferConflict(student=offer.student)).offers.append(offer)
    return list(conflicts.values())


def selection_overview(*, cycle: Cycle) -> dict[str, Any]:
    posts = list(
        Post.objects.filter(cycle=cycle)
        .select_related("unit")
        .annotate(
            applicant_count=Count("applications", distinct=True),
            open_offer_count=Count("offers", filter=Q(offers__status=OfferStatus.OPEN), distinct=True),
            accepted_count=Count("offers", filter=Q(offers__status=OfferStatus.ACCEPTED), distinct=True),
        )
        .order_by("unit__name", "title")
    )
    return {
        "posts": posts,
        "offer_conflicts": offer_conflicts(cycle=cycle),
        "posts_without_applicants": [p for p in posts if p.applicant_count == 0],
        "totals": {
            "headcount": sum(p.headcount for p in posts),
            "open": sum(p.open_offer_count for p in posts),
            "accepted": sum(p.accepted_count for p in posts),
        },
    }


def post_bulk_choices(*, post: Post) -> QuerySet[Application]:
    """Every application to ``post``, with its student: the choices of the bulk decision."""
    return Application.objects.filter(post=post).select_related("student")


def unit_interview_posts(*, unit: HostUnit) -> QuerySet[Post]:
    """The unit's posts an interview slot can be for: published or closed ones of a cycle
    still open, newest cycle first (a unit offers the same title year after year)."""
    return (
        unit.posts.filter(status__in=[PostStatus.PUBLISHED, PostStatus.CLOSED], cycle__status=CycleStatus.OPEN)
        .select_related("cycle")
        .order_by("-cycle__year", "title", "pk")
    )


def unit_reschedule_slots(*, unit: HostUnit, interview: Interview) -> QuerySet[InterviewSlot]:
    """The unit's upcoming open slots the interview can move to (any post, or its own)."""
    return (
        InterviewSlot.objects.filter(
            Q(post__isnull=True) | Q(post_id=interview.application.post_id),
            unit=unit,
            is_cancelled=False,
            starts_at__gt=timezone.now(),
        )
        .exclude(pk=cast(Any, interview.slot_id))
        .select_related("post")
    )


def student_application_get(*, student: StudentProfile, pk: int) -> Application:
    """One of the student's own applications; another student's is not found (404)."""
    return get_object_or_404(Application, pk=pk, student=student)


def self_booking_slot_get(*, pk: int) -> InterviewSlot:
    return get_object_or_404(InterviewSlot, pk=pk, self_booking=True)


def allocation_overview(*, cycle: Cycle) -> dict[str, Any]:
    """The allocation page of ``cycle``: its latest round with the first pairs, unplaced
    students and empty places named (``SHOWN`` of each), and the latest allocation job."""
    from jinseed.jobs.models import Job
    from placements.models import AllocationRound
    from placements.selection.services.allocation import CONFIRM_JOB, PREVIEW_JOB, SHOWN

    latest = AllocationRound.objects.filter(cycle=cycle).select_related("created_by", "confirmed_by").first()
    job = (
        Job.objects.filter(kind__in=[PREVIEW_JOB, CONFIRM_JOB], params__cycle_id=cycle.pk)
        .order_by("-created_at", "-id")
        .first()
    )
    context: dict[str, Any] = {
        "round": latest,
        "job": job,
        "running": job is not None and not job.is_finished,
        "shown": SHOWN,
        "matches": [],
        "unplaced": [],
        "empty": [],
    }
    if latest is None:
        return context
    pairs = latest.pairs[:SHOWN]
    unplaced = latest.unplaced[:SHOWN]
    empty = list(latest.empty_places.items())[:SHOWN]
    students = dict(
        StudentProfile.objects.filter(pk__in={s for _a, s, _p in pairs} | set(unplaced)).values_list("pk", "legal_name")
    )
    posts = {
        pk: (title, unit)
        for pk, title, unit in Post.objects.filter(
            pk__in={p for _a, _s, p in pairs} | {int(p) for p, _n in empty}
        ).values_list("pk", "title", "unit__name")
    }
    context["matches"] = [
        {"student": students.get(s, ""), "post": posts.get(p, ("", ""))[0], "unit": posts.get(p, ("", ""))[1]}
        for _a, s, p in pairs
    ]
    context["unplaced"] = [students.get(s, "") for s in unplaced]
    context["empty"] = [
        {"post": posts.get(int(p), ("", ""))[0], "unit": posts.get(int(p), ("", ""))[1], "places": n} for p, n in empty
    ]
    context["can_confirm"] = latest.status == AllocationStatus.PREVIEWED
    return context


def cycle_get(*, pk: int) -> Cycle:
    return get_object_or_404(Cycle, pk=pk)


def allocation_round_get(*, pk: int) -> AllocationRound:

    return get_object_or_404(AllocationRound.objects.select_related("cycle"), pk=pk)


def selection_close_preview(*, cycle: Cycle, at: datetime | None = None) -> dict[str, Any]:
    """What closing ``cycle``'s selection would do now, for the page that asks first (the
    same rules as ``services.cycle_selection_close``, read without changing anything)."""
    at = at or timezone.now()
    running = Offer.objects.filter(cycle=cycle, status=OfferStatus.OPEN, expires_at__isnull=False)
    lapsing = running.aggregate(
        count=Count("id"),
        with_days_left=Count("id", filter=Q(expires_at__gt=at + dt.timedelta(days=1))),
        latest=Max("expires_at"),
    )
    ending = Application.objects.filter(
        cycle=cycle,
        status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.SHORTLISTED, ApplicationStatus.INTERVIEWED],
    )
    by_status = dict(ending.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {
        "offers_lapsing": lapsing["count"],
        "offers_with_days_left": lapsing["with_days_left"],
        "latest_deadline": lapsing["latest"],
        "offers_held": Offer.objects.filter(cycle=cycle, status=OfferStatus.OPEN, expires_at__isnull=True).count(),
        "not_shortlisted": by_status.get(ApplicationStatus.SUBMITTED, 0)
        + by_status.get(ApplicationStatus.SHORTLISTED, 0),
        "not_selected": by_status.get(ApplicationStatus.INTERVIEWED, 0),
        "interviews_cancelled": Interview.objects.filter(
            application__in=ending, status=InterviewStatus.SCHEDULED
        ).count(),
    }


def selection_close_job(*, cycle: Cycle) -> Job | None:
    """The latest job closing ``cycle``'s selection, if any."""
    from placements.selection.services.closing import CLOSE_JOB

    return Job.objects.filter(kind=CLOSE_JOB, params__cycle_id=cycle.pk).order_by("-pk").first()
