"""Reusable reads for profiles and applications, with their joins applied."""

from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from jinseed.accounts.models import User
from positions.models import Cycle, Post

from .enums import ApplicationStatus
from .models import HOLDING_AS_SEEN, Application, ApplicationEvent, StudentProfile


def student_profile_of(user: User) -> StudentProfile | None:
    if not user.is_authenticated:
        return None
    try:
        return user.student_profile
    except StudentProfile.DoesNotExist:
        return None


def application_list_for_student(*, student: StudentProfile, at: datetime | None = None) -> QuerySet[Application]:
    """The student's applications, newest cycle first, each with what the page shows.

    History is limited to the events the student may see now (a held decision stays hidden
    until the announcement); interviews and offers come through the reverse relations the
    placements app declares, so this app does not import it.
    """
    at = at or timezone.now()
    visible_events = ApplicationEvent.objects.filter(visible_at__lte=at).order_by("created_at", "id")
    return (
        Application.objects.filter(student=student)
        .select_related("post__unit", "cycle")
        .prefetch_related(Prefetch("events", queryset=visible_events, to_attr="visible_events"), "interviews", "offers")
        .order_by("-cycle__year", "-submitted_at")
    )


def application_active_for_student(*, student: StudentProfile, cycle: Cycle) -> QuerySet[Application]:
    return Application.objects.filter(HOLDING_AS_SEEN, student=student, cycle=cycle)


def application_active_for_post(*, student: StudentProfile, post: Post) -> Application | None:
    return Application.objects.filter(HOLDING_AS_SEEN, student=student, post=post).first()


def application_get_for_resume(*, pk: int) -> Application:
    return Application.objects.select_related("post__unit", "student__user").get(pk=pk)


def student_participations(*, student: StudentProfile, before_year: int | None = None) -> QuerySet[Application]:
    """The cycles a student took part in (an accepted place), oldest first; with
    ``before_year``, only earlier cycles: a returning student has at least one."""
    qs = Application.objects.filter(student=student, status=ApplicationStatus.ACCEPTED)
    if before_year is not None:
        qs = qs.filter(cycle__year__lt=before_year)
    return qs.select_related("cycle", "post__unit").order_by("cycle__year", "pk")


def application_get_for_withdrawal(*, pk: int) -> Application:
    """The application a student withdraws, with the post its message names (404 if none)."""
    return get_object_or_404(Application.objects.select_related("post__unit", "cycle"), pk=pk)
