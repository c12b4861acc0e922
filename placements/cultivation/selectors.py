"""Reads of cultivation, scoped to who asks and joined so that pages never query per row."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from applicants.models import StudentProfile
from jinseed.accounts.models import User
from jinseed.authz import is_programme_staff
from placements.cultivation import certificates
from placements.cultivation.enums import OPEN_TERM_SWITCH_STATUSES, ActivityStatus
from placements.cultivation.rules import is_mentor
from placements.models import (
    Activity,
    ActivitySignup,
    AlumniRecord,
    Certificate,
    CommitteeRole,
    Feedback,
    Group,
    GroupMembership,
    Mentor,
    OnboardingItem,
    OnboardingTick,
    Placement,
    TermSwitchRequest,
)
from placements.selection.enums import PlacementStatus
from positions.models import Cycle, HostUnit
from positions.rules import is_unit_coordinator

PLACEMENT_JOINS = (
    "student__user",
    "post__unit",
    "post__cycle",
    "mentor__user",
    "onboarding",
    "final_grade",
    "group_membership__group__leader__student",
)


def _placements() -> QuerySet[Placement]:
    return Placement.objects.select_related(*PLACEMENT_JOINS).prefetch_related(
        Prefetch("certificates", queryset=Certificate.objects.order_by("-issued_at", "-id")),
        Prefetch("term_switches", queryset=TermSwitchRequest.objects.order_by("-created_at", "-id")),
        "assessments",
    )


def student_placements(*, student: StudentProfile) -> QuerySet[Placement]:
    """Every placement of a student, newest cycle first: the student's own history."""
    return _placements().filter(student=student).order_by("-post__cycle__year", "-pk")


def placement_visible_to(*, user: User, pk: int) -> Placement:
    """The placement ``pk`` if ``user`` may see it, else 404: a student their own, a mentor
    those they guide, a coordinator their unit's, staff any."""
    qs = _placements()
    if is_programme_staff(user):
        pass
    elif is_unit_coordinator(user):
        qs = qs.filter(post__unit_id=user.coordinator.unit_id)
    elif is_mentor(user):
        qs = qs.filter(mentor_id=user.mentor.pk)
    elif getattr(user, "student_profile", None) is not None:
        qs = qs.filter(student_id=user.student_profile.pk)
    else:
        qs = qs.none()
    placement = qs.filter(pk=pk).first()
    if placement is None:
        raise Http404
    return placement


def mentor_placements(*, mentor: Mentor) -> QuerySet[Placement]:
    return (
        Placement.objects.filter(mentor=mentor)
        .select_related("student", "post__unit", "post__cycle", "final_grade")
        .order_by("-post__cycle__year", "student__legal_name")
    )


def unit_placements(*, unit: HostUnit, cycle: Cycle | None = None) -> QuerySet[Placement]:
    qs = Placement.objects.filter(post__unit=unit)
    if cycle is not None:
        qs = qs.filter(post__cycle=cycle)
    return (
        qs.select_related("student", "post__cycle", "mentor__user", "final_grade")
        .annotate(
            open_switches=Count("term_switches", filter=Q(term_switches__status__in=OPEN_TERM_SWITCH_STATUSES)),
            assessment_count=Count("assessments", distinct=True),
        )
        .order_by("-post__cycle__year", "student__legal_name")
    )


def onboarding_checklist(*, placement: Placement) -> list[tuple[OnboardingItem, OnboardingTick | None]]:
    ticks = {t.item_id: t for t in OnboardingTick.objects.filter(placement=placement)}
    items = OnboardingItem.objects.filter(cycle_id=placement.post.cycle_id)
    return [(item, ticks.get(item.pk)) for item in items]


def group_members(*, group: Group) -> list[Placement]:
    memberships = GroupMembership.objects.filter(group=group).select_related(
        "placement__student", "placement__post__unit"
    )
    return [m.placement for m in memberships]


def cycle_committee(*, cycle: Cycle) -> QuerySet[CommitteeRole]:
    return CommitteeRole.objects.filter(cycle=cycle).select_related("placement__student").order_by("role")


def activities_for(*, placement: Placement) -> list[Activity]:
    """The cycle's published activities with their sign-up count and whether this student signed up."""
    activities = list(
        Activity.objects.filter(cycle_id=placement.post.cycle_id, status=ActivityStatus.PUBLISHED)
        .annotate(signup_count=Count("signups"))
        .order_by("starts_at", "pk")
    )
    mine = {
        s.activity_id: s
        for s in ActivitySignup.objects.filter(placement=placement, activity__in=[a.pk for a in activities])
    }
    for activity in activities:
        # What the page shows beside each activity; not model fields.
        activity.my_signup = mine.get(activity.pk)  # type: ignore[attr-defined]
        activity.is_full = activity.signup_count >= activity.capacity  # type: ignore[attr-defined]
    return list(activities)


def proposed_activities(*, placement: Placement) -> QuerySet[Activity]:
    return Activity.objects.filter(cycle_id=placement.post.cycle_id, status=ActivityStatus.PROPOSED).order_by(
        "starts_at"
    )


def mask_name(name: str) -> str:
    """``顾佳怡`` → ``顾**``: enough for the holder to recognise, too little to identify."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def certificate_by_code(code: str) -> Certificate | None:
    """A live certificate with this code, or None (malformed, tampered, unknown or revoked)."""
    if not certificates.certificate_code_is_well_formed(code):
        return None
    normalized = certificates.certificate_code_normalize(code)
    return (
        Certificate.objects.select_related("placement__student", "placement__post__unit", "placement__post__cycle")
        .filter(code=normalized, revoked_at__isnull=True)
        .first()
    )


def adopted_feedback(*, cycle: Cycle) -> QuerySet[Feedback]:
    return Feedback.objects.filter(cycle=cycle, adopted=True).order_by("topic", "-answered_at")


def student_feedback(*, student: StudentProfile, cycle: Cycle) -> QuerySet[Feedback]:
    return Feedback.objects.filter(student=student, cycle=cycle).order_by("-created_at")


def unit_feedback(*, unit: HostUnit) -> QuerySet[Feedback]:
    """What students said about the unit, newest first; the template hides the author of
    items sent anonymously to the unit."""
    return Feedback.objects.filter(unit=unit).select_related("student", "cycle").order_by("-created_at")


def certificate_get(*, pk: int) -> Certificate:
    return get_object_or_404(Certificate, pk=pk)


def certificate_for_pdf(*, pk: int) -> Certificate:
    """A certificate with what its PDF prints: the student, the unit and the cycle."""
    return Certificate.objects.select_related(
        "placement__student", "placement__post__unit", "placement__post__cycle"
    ).get(pk=pk)


def term_switch_get(*, pk: int) -> TermSwitchRequest:
    return get_object_or_404(TermSwitchRequest.objects.select_related("placement"), pk=pk)


def cycle_activity_get(*, cycle_id: int, pk: int) -> Activity:
    return get_object_or_404(Activity, pk=pk, cycle_id=cycle_id)


def cycle_onboarding_item_get(*, cycle_id: int, pk: int) -> OnboardingItem:
    return get_object_or_404(OnboardingItem, pk=pk, cycle_id=cycle_id)


def student_alumni_records(*, student: StudentProfile) -> dict[int, AlumniRecord]:
    """The student's alumni answers, by cycle id."""
    return {r.cycle_id: r for r in AlumniRecord.objects.filter(student=student)}


def completed_placements() -> QuerySet[Placement]:
    """Completed placements, newest cycle first: the students the alumni list follows."""
    return (
        Placement.objects.filter(status=PlacementStatus.COMPLETED)
        .select_related("student__user", "post__unit", "post__cycle")
        .order_by("-post__cycle__year", "student__legal_name", "pk")
    )


def alumni_records_for(*, placements: Iterable[Placement]) -> dict[tuple[int, int], AlumniRecord]:
    """The alumni answers of these placements' students and cycles, by (student id, cycle id)."""
    return {
        (r.student_id, r.cycle_id): r
        for r in AlumniRecord.objects.filter(
            student__in=[p.student_id for p in placements], cycle__in={p.post.cycle_id for p in placements}
        ).select_related("recorded_by")
    }


def alumni_record_of(*, placement: Placement) -> AlumniRecord | None:
    return AlumniRecord.objects.filter(student_id=placement.student_id, cycle_id=placement.post.cycle_id).first()


def cycle_groups_overview(*, cycle: Cycle) -> dict[str, Any]:
    """The staff's groups page: each group with its size and leader, and the cycle's placed
    students who are in no group yet."""
    from placements.cultivation.services.core import LIVE_PLACEMENT_STATUSES

    groups = list(
        Group.objects.filter(cycle=cycle)
        .select_related("leader__student")
        .annotate(size=Count("memberships"))
        .order_by("number")
    )
    unassigned = list(
        Placement.objects.filter(post__cycle=cycle, status__in=LIVE_PLACEMENT_STATUSES, group_membership__isnull=True)
        .select_related("student", "post__unit")
        .order_by("student__legal_name", "pk")
    )
    return {"groups": groups, "unassigned": unassigned}


def cycle_activities_attendance(*, cycle: Cycle) -> QuerySet[Activity]:
    """The cycle's published activities, newest first, with their sign-ups and attendance counted."""
    return (
        Activity.objects.filter(cycle=cycle, status=ActivityStatus.PUBLISHED)
        .annotate(
            signup_total=Count("signups"),
            attended_total=Count("signups", filter=Q(signups__attended=True)),
            recorded_total=Count("signups", filter=Q(signups__attended__isnull=False)),
        )
        .order_by("-starts_at", "pk")
    )


def activities_with_signups() -> QuerySet[Activity]:
    """Activities with their sign-ups' students loaded, for the attendance register."""
    signups = ActivitySignup.objects.select_related("placement__student", "placement__post__unit").order_by(
        "placement__student__legal_name", "pk"
    )
    return Activity.objects.select_related("cycle").prefetch_related(Prefetch("signups", queryset=signups))
