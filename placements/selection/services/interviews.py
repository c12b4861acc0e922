"""Interview slots and interviews: creation, booking, rescheduling, cancellation, outcome."""

import datetime as dt
from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from applicants.models import Application, StudentProfile
from applicants.services import application_transition
from jinseed.accounts.models import User
from jinseed.authz import authorize
from placements.models import Interview, InterviewSlot
from placements.selection.enums import (
    InterviewMode,
    InterviewOutcome,
    InterviewStatus,
)
from positions.models import Cycle, HostUnit, Post

from .core import INTERVIEW_MACHINE, LIVE_INTERVIEW, S, SelectionError
from .notify import (
    application_context,
    cancel_queued,
    interview_notice_prefix,
    interview_reminder_prefix,
    notify,
    was_told,
)
from .ranking import application_not_select


def _overlaps(start_a: dt.datetime, end_a: dt.datetime, start_b: dt.datetime, end_b: dt.datetime) -> bool:
    return start_a < end_b and start_b < end_a


def interviewer_conflicts(
    *,
    interviewer_ids: Iterable[int],
    starts_at: dt.datetime,
    duration_minutes: int,
    exclude_slot: InterviewSlot | None = None,
) -> list[InterviewSlot]:
    """Other live slots, overlapping this time, that share an interviewer: a warning, not a refusal."""
    ends_at = starts_at + dt.timedelta(minutes=duration_minutes)
    candidates = (
        InterviewSlot.objects.filter(
            is_cancelled=False,
            interviewers__in=list(interviewer_ids),
            starts_at__lt=ends_at,
            starts_at__gt=starts_at - dt.timedelta(hours=12),
        )
        .exclude(pk=cast(Any, getattr(exclude_slot, "pk", None)))
        .prefetch_related("interviewers")
        .distinct()
    )
    return [s for s in candidates if _overlaps(starts_at, ends_at, s.starts_at, s.ends_at)]


def _slot_check_where(*, mode: str, meeting_link: str, address: str) -> None:
    if mode == InterviewMode.VIDEO and not meeting_link:
        raise SelectionError(_("A video interview needs a meeting link."), code="link_required")
    if mode == InterviewMode.ON_SITE and not address:
        raise SelectionError(_("An on-site interview needs an address."), code="address_required")


@transaction.atomic
def interview_slot_create(
    *,
    unit: HostUnit,
    cycle: Cycle,
    actor: User | None,
    starts_at: dt.datetime,
    duration_minutes: int,
    mode: str,
    meeting_link: str = "",
    address: str = "",
    interviewers: Iterable[User] = (),
    capacity: int = 1,
    self_booking: bool = False,
    post: Post | None = None,
) -> tuple[InterviewSlot, list[str]]:
    """A new slot and the warnings about interviewers booked elsewhere at the same time."""
    authorize("selection.decide_for_unit", actor, unit, error=SelectionError)
    if post is not None and post.unit_id != unit.pk:
        raise SelectionError(_("The post belongs to another unit."), code="wrong_unit")
    _slot_check_where(mode=mode, meeting_link=meeting_link, address=address)
    interviewers = list(interviewers)
    slot = InterviewSlot.objects.create(
        unit=unit,
        cycle=cycle,
        post=post,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        mode=mode,
        meeting_link=meeting_link if mode == InterviewMode.VIDEO else "",
        address=address if mode == InterviewMode.ON_SITE else "",
        capacity=capacity,
        self_booking=self_booking,
        created_by=actor,
    )
    slot.interviewers.set(interviewers)
    return slot, _interviewer_warnings(slot=slot, interviewers=interviewers)


def _interviewer_warnings(*, slot: InterviewSlot, interviewers: Iterable[User]) -> list[str]:
    ids = [u.pk for u in interviewers]
    warnings = []
    for other in interviewer_conflicts(
        interviewer_ids=ids, starts_at=slot.starts_at, duration_minutes=slot.duration_minutes, exclude_slot=slot
    ):
        names = ", ".join(str(u) for u in other.interviewers.all() if u.pk in ids)
        warnings.append(
            _("%(names)s also interview at %(time)s (%(unit)s).")
            % {
                "names": names,
                "time": timezone.localtime(other.starts_at).strftime("%Y-%m-%d %H:%M"),
                "unit": other.unit,
            }
        )
    return warnings


def _where(interview: Interview) -> dict[str, Any]:
    where = {}
    if interview.meeting_link:
        where["meeting_url"] = interview.meeting_link
    if interview.address:
        where["address"] = interview.address
    return where


def _interview_context(interview: Interview, *, notes: bool = True) -> dict[str, Any]:
    """The calendar kinds' context; ``interview_cancelled`` takes a reason instead of notes."""
    ctx = {
        **application_context(interview.application),
        "interview_uid": f"interview-{interview.pk}@jinseed",
        "starts_at": interview.starts_at.isoformat(),
        "ends_at": interview.ends_at.isoformat(),
        "sequence": interview.sequence,
        **_where(interview),
    }
    if notes:
        ctx["notes"] = interview.notes
    return ctx


REMINDERS: tuple[tuple[str, str, dt.timedelta], ...] = (
    ("24h", "interview_reminder_24h", dt.timedelta(hours=24)),
    ("1h", "interview_reminder_1h", dt.timedelta(hours=1)),
)


def _interview_reminders_queue(*, interview: Interview, now: datetime | None = None) -> int:
    """Queue the 24 h and 1 h reminders of a scheduled interview, held until their time.

    A reminder whose time has already passed (an interview booked 3 hours ahead has no 24 h
    reminder) is skipped. Keys carry the interview's sequence, so after a change the new
    reminders are new events, the old ones having been cancelled.
    """
    now = now or timezone.now()
    recipient = interview.application.student.user
    context = {
        **application_context(interview.application),
        "starts_at": interview.starts_at.isoformat(),
        **_where(interview),
    }
    queued = 0
    for name, kind, before in REMINDERS:
        due = interview.starts_at - before
        if due <= now:
            continue
        notify(
            recipient=recipient,
            kind=kind,
            context=context,
            event_key=f"{interview_reminder_prefix(interview.pk)}{interview.sequence}:{name}",
            send_after=due,
        )
        queued += 1
    return queued


def _interview_reminders_cancel(*, interview: Interview) -> int:
    return cancel_queued(recipient=interview.application.student.user, prefix=interview_reminder_prefix(interview.pk))


def _refuse_student_clash(
    *, student_id: int, starts_at: dt.datetime, ends_at: dt.datetime, exclude_interview: Interview | None = None
) -> None:
    """Refuse a time that overlaps another live interview of the same student."""
    others = (
        Interview.objects.filter(application__student_id=student_id, status=LIVE_INTERVIEW)
        .exclude(pk=cast(Any, getattr(exclude_interview, "pk", None)))
        .filter(starts_at__lt=ends_at, starts_at__gt=starts_at - dt.timedelta(hours=12))
    )
    clash = next((i for i in others if _overlaps(starts_at, ends_at, i.starts_at, i.ends_at)), None)
    if clash is not None:
        raise SelectionError(
            _("The student has another interview at that time (%(time)s).")
            % {"time": timezone.localtime(clash.starts_at).strftime("%Y-%m-%d %H:%M")},
            code="student_overlap",
        )


def _lock_slot_with_room(*, slot: InterviewSlot, application: Application) -> InterviewSlot:
    locked = InterviewSlot.objects.select_for_update().get(pk=slot.pk)
    if locked.is_cancelled:
        raise SelectionError(_("This slot has been cancelled."), code="slot_cancelled")
    if locked.unit_id != application.post.unit_id or (locked.post_id and locked.post_id != application.post_id):
        raise SelectionError(_("This slot is not for this post."), code="wrong_slot")
    if locked.starts_at <= timezone.now():
        raise SelectionError(_("This slot has already begun."), code="slot_past")
    taken = locked.interviews.filter(status=LIVE_INTERVIEW).count()
    if taken >= locked.capacity:
        raise SelectionError(_("This slot is full; choose another one."), code="slot_full")
    return locked


@transaction.atomic
def interview_book(
    *, application: Application, slot: InterviewSlot, actor: User | None, by_student: bool = False
) -> Interview:
    """Put a shortlisted applicant into a slot: assigned by the unit, or chosen by the student.

    First come, first served: the slot row is locked while its places are counted, and the
    student's row while their other interviews are checked for an overlap.
    """
    application = Application.objects.select_related("post__unit", "student__user").get(pk=application.pk)
    if by_student:
        authorize("selection.book_interview", actor, application, error=SelectionError)
    else:
        authorize("selection.decide_for_unit", actor, application, error=SelectionError)
    locked_slot = _lock_slot_with_room(slot=slot, application=application)
    if by_student and not locked_slot.self_booking:
        raise SelectionError(_("This slot is assigned by the unit."), code="not_self_booking")
    StudentProfile.objects.select_for_update().get(pk=application.student_id)
    app = Application.objects.select_for_update().get(pk=application.pk)
    if app.status != S.SHORTLISTED:
        raise SelectionError(_("Only a shortlisted applicant can be invited to an interview."), code="not_shortlisted")
    if app.interviews.filter(status=LIVE_INTERVIEW).exists():
        raise SelectionError(
            _("This applicant already has an interview for this post; reschedule it instead."), code="already_booked"
        )
    _refuse_student_clash(student_id=app.student_id, starts_at=locked_slot.starts_at, ends_at=locked_slot.ends_at)
    interview = Interview.objects.create(
        application=application,
        slot=locked_slot,
        starts_at=locked_slot.starts_at,
        duration_minutes=locked_slot.duration_minutes,
        mode=locked_slot.mode,
        meeting_link=locked_slot.meeting_link,
        address=locked_slot.address,
    )
    interview.interviewers.set(locked_slot.interviewers.all())
    interview.application = application
    prefix = interview_notice_prefix(interview.pk)
    notify(
        recipient=application.student.user,
        kind="interview_invitation",
        context=_interview_context(interview),
        event_key=f"{prefix}{interview.sequence}:invitation",
        replaces=prefix,
    )
    _interview_reminders_queue(interview=interview)
    return interview


def _student_change_check(*, interview: Interview, actor: User | None, at: datetime) -> None:
    """A student may cancel or move an interview they booked themselves, until
    ``INTERVIEW_STUDENT_CHANGE_HOURS`` before it starts; after that they ask the unit."""
    application = Application.objects.get(pk=interview.application_id)
    authorize("selection.book_interview", actor, application, error=SelectionError)
    if interview.slot is None or not interview.slot.self_booking:
        raise SelectionError(
            _("The unit set this interview: please ask its coordinator to change it."), code="not_self_booked"
        )
    hours = settings.INTERVIEW_STUDENT_CHANGE_HOURS
    if interview.starts_at - dt.timedelta(hours=hours) <= at:
        raise SelectionError(
            ngettext(
                "An interview can be changed up to %(hours)s hour before it starts: please ask the unit.",
                "An interview can be changed up to %(hours)s hours before it starts: please ask the unit.",
                hours,
            )
            % {"hours": hours},
            code="too_late",
        )


@transaction.atomic
def interview_student_cancel(*, interview: Interview, actor: User | None, at: datetime | None = None) -> Interview:
    """The student gives up the time they booked; the slot's place is free again and the
    application may book another time."""
    _student_change_check(interview=interview, actor=actor, at=at or timezone.now())
    return interview_call_off(interview=interview, reason=_("Cancelled by the student."), actor=actor)


@transaction.atomic
def interview_student_move(
    *, interview: Interview, slot: InterviewSlot, actor: User | None, at: datetime | None = None
) -> Interview:
    """The student moves their booking to another time the unit opened for booking."""
    _student_change_check(interview=interview, actor=actor, at=at or timezone.now())
    if not slot.self_booking:
        raise SelectionError(_("This slot is assigned by the unit."), code="not_self_booking")
    return _interview_move(interview=interview, slot=slot)


@transaction.atomic
def interview_reschedule(*, interview: Interview, slot: InterviewSlot, actor: User | None) -> Interview:
    """Move a scheduled interview into another slot of the unit, telling the student."""
    authorize("selection.decide_for_unit", actor, interview, error=SelectionError)
    return _interview_move(interview=interview, slot=slot)


def _interview_move(*, interview: Interview, slot: InterviewSlot) -> Interview:
    application = Application.objects.select_related("post__unit", "student__user").get(pk=interview.application_id)
    locked_slot = _lock_slot_with_room(slot=slot, application=application)
    StudentProfile.objects.select_for_update().get(pk=application.student_id)
    locked = Interview.objects.select_for_update().get(pk=interview.pk)
    if locked.status != LIVE_INTERVIEW:
        raise SelectionError(_("Only a scheduled interview can be rescheduled."), code="not_scheduled")
    if locked.slot_id == locked_slot.pk:
        raise SelectionError(_("The interview is already in this slot."), code="same_slot")
    _refuse_student_clash(
        student_id=application.student_id,
        starts_at=locked_slot.starts_at,
        ends_at=locked_slot.ends_at,
        exclude_interview=locked,
    )
    previous = locked.starts_at
    locked.slot = locked_slot
    locked.starts_at = locked_slot.starts_at
    locked.duration_minutes = locked_slot.duration_minutes
    locked.mode = locked_slot.mode
    locked.meeting_link = locked_slot.meeting_link
    locked.address = locked_slot.address
    locked.sequence += 1
    locked.save()
    locked.interviewers.set(locked_slot.interviewers.all())
    locked.application = application
    student = application.student.user
    prefix = interview_notice_prefix(locked.pk)
    cancel_queued(recipient=student, prefix=prefix)
    if was_told(recipient=student, prefix=prefix):
        what, context = "rescheduled", {**_interview_context(locked), "previous_starts_at": previous.isoformat()}
    else:  # the invitation never went out: the student learns only the new time
        what, context = "invitation", _interview_context(locked)
    notify(recipient=student, kind=f"interview_{what}", context=context, event_key=f"{prefix}{locked.sequence}:{what}")
    _interview_reminders_cancel(interview=locked)
    _interview_reminders_queue(interview=locked)
    return locked


def interview_call_off(*, interview: Interview, reason: str, actor: User | None = None) -> Interview:
    locked = (
        Interview.objects.select_for_update()
        .select_related("application__student__user", "application__post__unit")
        .get(pk=interview.pk)
    )
    if not INTERVIEW_MACHINE.allows(locked.status, InterviewStatus.CANCELLED):
        raise SelectionError(_("Only a scheduled interview can be cancelled."), code="not_scheduled")
    INTERVIEW_MACHINE.move(
        locked,
        InterviewStatus.CANCELLED,
        actor=actor,
        reason=reason,
        locked=True,
        fields={"sequence": locked.sequence + 1},
    )
    student = locked.application.student.user
    prefix = interview_notice_prefix(locked.pk)
    _interview_reminders_cancel(interview=locked)
    cancel_queued(recipient=student, prefix=prefix)
    # A student who was never told of the interview (its invitation was still queued) is not
    # told of its cancellation either: there is nothing in their calendar to remove.
    if was_told(recipient=student, prefix=prefix):
        notify(
            recipient=student,
            kind="interview_cancelled",
            context={**_interview_context(locked, notes=False), "reason": reason},
            event_key=f"{prefix}{locked.sequence}:cancelled",
        )
    return locked


def interviews_call_off_many(*, interviews: QuerySet[Interview], reason: str, actor: User | None = None) -> int:
    """``interview_call_off`` for a queryset of interviews, in a fixed number of queries.

    The scheduled ones are locked and cancelled (their revision grows), their queued notices
    and reminders are cancelled, and the students who had been told of theirs get one
    ``interview_cancelled`` each. Returns how many were cancelled.
    """
    from django.db.models import F

    from jinseed.notifications.enums import NotificationStatus
    from jinseed.notifications.models import Notification
    from jinseed.notifications.services import QueuedMessage, notification_cancel_under, notification_queue_many

    rows = list(
        interviews.filter(status=LIVE_INTERVIEW)
        .select_for_update(of=("self",))
        .select_related("application__student", "application__post__unit")
    )
    if not rows:
        return 0
    INTERVIEW_MACHINE.move_ids(
        [i.pk for i in rows],
        InterviewStatus.CANCELLED,
        actor=actor,
        reason=reason,
        fields={"sequence": F("sequence") + 1},
    )
    user_ids = [i.application.student.user_id for i in rows]
    notice = {interview_notice_prefix(i.pk) for i in rows}
    notification_cancel_under(prefixes=notice | {interview_reminder_prefix(i.pk) for i in rows}, recipient_ids=user_ids)
    lengths = sorted({len(prefix) for prefix in notice})
    told = {
        key[:n]
        for key in Notification.objects.filter(
            recipient_id__in=user_ids,
            event_key__startswith="interview:",
            status__in=[NotificationStatus.SENDING, NotificationStatus.SENT],
        ).values_list("event_key", flat=True)
        for n in lengths
        if key[:n] in notice
    }
    messages = []
    for interview in rows:
        prefix = interview_notice_prefix(interview.pk)
        if prefix not in told:
            continue  # never told of the interview: nothing in their calendar to remove
        interview.sequence += 1
        messages.append(
            QueuedMessage(
                recipient_id=interview.application.student.user_id,
                context={**_interview_context(interview, notes=False), "reason": reason},
                event_key=f"{prefix}{interview.sequence}:cancelled",
            )
        )
    notification_queue_many(kind="interview_cancelled", messages=messages)
    return len(rows)


@transaction.atomic
def interview_cancel(*, interview: Interview, actor: User | None, reason: str = "") -> Interview:
    authorize("selection.decide_for_unit", actor, interview, error=SelectionError)
    return interview_call_off(interview=interview, reason=reason.strip(), actor=actor)


@transaction.atomic
def application_withdrawal_settle(*, application: Application, actor: User | None) -> int:
    """End what the selection keeps about an application its student has withdrawn.

    Called (through ``applicants.signals.application_withdrawn``) inside the withdrawal's
    transaction. Every scheduled interview is cancelled by ``interview_cancel``: its queued
    invitation and reminders are cancelled, and a student who had been invited gets the
    cancellation that removes it from their calendar (the reason names the withdrawal, not the
    student's own words). Offers need nothing: only a submitted,
    shortlisted or interviewed application can be withdrawn (``WITHDRAWABLE_STATUSES``), and
    none of them has an open offer. Returns how many interviews were cancelled.
    """
    with translation.override(application.student.user.language or settings.LANGUAGE_CODE):
        reason = _("You withdrew your application.")  # the student reads it
    cancelled = 0
    for interview in Interview.objects.filter(application_id=application.pk, status=LIVE_INTERVIEW).order_by("pk"):
        interview_call_off(interview=interview, actor=actor, reason=reason)
        cancelled += 1
    return cancelled


@transaction.atomic
def interview_slot_cancel(*, slot: InterviewSlot, actor: User | None, reason: str = "") -> int:
    """Cancel a slot and every interview booked in it; returns how many interviews were cancelled."""
    authorize("selection.decide_for_unit", actor, slot, error=SelectionError)
    locked = InterviewSlot.objects.select_for_update().get(pk=slot.pk)
    locked.is_cancelled = True
    locked.save(update_fields=["is_cancelled"])
    cancelled = 0
    for interview in locked.interviews.filter(status=LIVE_INTERVIEW):
        interview_call_off(interview=interview, reason=reason.strip(), actor=actor)
        cancelled += 1
    return cancelled


@transaction.atomic
def interview_record(
    *,
    interview: Interview,
    actor: User | None,
    attended: bool,
    score: int | None = None,
    outcome: str = "",
    notes: str = "",
) -> Interview:
    """After the interview: attendance, score (0–100) and outcome.

    An attended interview makes the application "interviewed" (ready to be ranked); one the
    unit does not recommend also marks it "not selected", a decision held until the
    announcement like any other.
    """
    authorize("selection.decide_for_unit", actor, interview, error=SelectionError)
    locked = Interview.objects.select_for_update().select_related("application__cycle").get(pk=interview.pk)
    to_status = InterviewStatus.COMPLETED if attended else InterviewStatus.NO_SHOW
    if not INTERVIEW_MACHINE.allows(locked.status, to_status):
        raise SelectionError(_("The outcome of this interview has already been recorded."), code="already_recorded")
    if locked.starts_at > timezone.now():
        raise SelectionError(_("The interview has not taken place yet."), code="not_yet")
    if attended:
        if outcome not in InterviewOutcome.values:
            raise SelectionError(_("Choose the outcome of the interview."), code="outcome_required")
        if score is not None and not 0 <= score <= 100:
            raise SelectionError(_("The score goes from 0 to 100."), code="score_range")
    INTERVIEW_MACHINE.move(
        locked,
        to_status,
        actor=actor,
        locked=True,
        fields={"score": score if attended else None, "outcome": outcome if attended else "", "notes": notes.strip()},
    )
    if attended:
        application_transition(application=locked.application, to_status=S.INTERVIEWED, actor=actor)
        if outcome == InterviewOutcome.NOT_PASSED:
            application_not_select(application=locked.application, actor=actor)
    return locked
