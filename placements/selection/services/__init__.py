"""Every write of the selection: review, shortlist, interviews, offers and placements.

Locks are always taken in the same order — post, then interview slot, then student profile,
then offer or application — so that concurrent requests queue instead of deadlocking. The
capacity rule (OPEN + ACCEPTED offers ≤ the post's headcount) is checked under the post row's
lock (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises writers by itself).

Accepting, declining or expiring an offer frees places on other posts; those are passed on to
their backup lists in a second transaction (``offer_pass_to_backup``) so that accepting never
takes a post lock after a student lock.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from applicants.enums import ApplicationStatus
from applicants.models import Application, StudentProfile
from applicants.services import application_publish_held, application_transition
from jinseed.errors import DomainError
from jinseed.statemachine import StatusMachine, status_change_audit
from placements.models import Interview, InterviewSlot, Offer, Placement, Review, ReviewCriterion, ReviewScore
from placements.selection.enums import (
    HOLDING_OFFER_STATUSES,
    INTERVIEW_TRANSITIONS,
    OFFER_TRANSITIONS,
    RANKABLE_APPLICATION_STATUSES,
    InterviewMode,
    InterviewOutcome,
    InterviewStatus,
    OfferStatus,
    RejectionReason,
)
from positions.enums import CycleStatus, PostStatus
from positions.models import Cycle, HostUnit, Post
from positions.services import cycle_transition, post_submit

logger = logging.getLogger(__name__)

S = ApplicationStatus
EDITABLE_POST_STATUSES = frozenset({PostStatus.DRAFT, PostStatus.RETURNED})
#: Interviews that still take a place in a slot and in the student's diary.
LIVE_INTERVIEW = InterviewStatus.SCHEDULED
#: Cycle statuses in which no offer is made any more, from the backup list or otherwise.
SELECTION_OVER = frozenset({CycleStatus.SELECTION_CLOSED, CycleStatus.ARCHIVED})


class SelectionError(DomainError):
    pass


class CapacityError(SelectionError):
    """The post has no free place: its open and accepted offers already reach the headcount."""


INTERVIEW_MACHINE = StatusMachine(
    model=Interview,
    transitions=INTERVIEW_TRANSITIONS,
    labels=InterviewStatus,
    error=SelectionError,
    audit=status_change_audit(Interview),
)
OFFER_MACHINE = StatusMachine(
    model=Offer,
    transitions=OFFER_TRANSITIONS,
    labels=OfferStatus,
    error=SelectionError,
    audit=status_change_audit(Offer),
)


# --- notifications ----------------------------------------------------------------------------
#
# Event keys, by what they are about (every key names its recipient implicitly: the outbox
# makes them unique per recipient and channel):
#
# * ``application:<pk>:decision:<state>`` — the student's current decision on one application
#   (shortlisted, not shortlisted, offer made or passed on, onboarding). A new decision
#   *replaces* every queued, unsent message under ``application:<pk>:decision:``, so only the
#   latest goes out; one already sent stays sent.
# * ``interview:<pk>:notice:<sequence>:<what>`` — invitation, reschedule, cancellation; a
#   change replaces the queued notice of the interview. If the student was never told
#   (the earlier notice was still queued), a reschedule is sent as a fresh invitation and a
#   cancellation as nothing at all.
# * ``interview:<pk>:reminder:<sequence>:<24h|1h>`` — held with ``send_after``; cancelled and
#   queued again on every change of the interview.
# * ``cycle:<pk>:not_selected:student:<pk>`` — once per student when the selection closes.


def _notify(*, recipient, kind: str, context: dict, event_key: str, replaces: str | None = None, send_after=None):
    """Queue a message through the outbox, inside the caller's transaction.

    The outbox validates ``kind`` and ``context`` against ``jinseed.notifications.kinds``: a
    caller's mistake raises (and rolls the decision back) instead of losing the message.
    With ``replaces``, queued messages under that key prefix are cancelled first.
    """
    from jinseed.notifications.services import notification_queue, notification_replace

    if replaces is None:
        return notification_queue(
            recipient=recipient, kind=kind, context=context, event_key=event_key, send_after=send_after
        )
    return notification_replace(
        recipient=recipient, kind=kind, context=context, event_key=event_key, replaces=replaces, send_after=send_after
    )


def _cancel_queued(*, recipient, prefix: str) -> int:
    """Cancel this recipient's (a user or a user id) queued, unsent messages under ``prefix``."""
    from jinseed.notifications.services import notification_cancel

    return notification_cancel(recipient=recipient, event_key_prefix=prefix)


def _was_told(*, recipient, prefix: str) -> bool:
    """Whether a message under ``prefix`` has gone (or is going) out to ``recipient``."""
    from jinseed.notifications.enums import NotificationStatus
    from jinseed.notifications.models import Notification

    return Notification.objects.filter(
        recipient=recipient,
        event_key__startswith=prefix,
        status__in=[NotificationStatus.SENDING, NotificationStatus.SENT],
    ).exists()


def decision_key_prefix(application_id: int) -> str:
    return f"application:{application_id}:decision:"


def interview_notice_prefix(interview_id: int) -> str:
    return f"interview:{interview_id}:notice:"


def interview_reminder_prefix(interview_id: int) -> str:
    return f"interview:{interview_id}:reminder:"


def not_selected_key(*, cycle_id: int, student_id: int) -> str:
    return f"cycle:{cycle_id}:not_selected:student:{student_id}"


def _application_context(application: Application) -> dict:
    return {
        "student_name": application.student.legal_name,
        "post_title": application.post.title,
        "unit_name": application.post.unit.name,
        "url": "/my/selection/",
    }


def _held_until(cycle: Cycle, at: dt.datetime):
    return cycle.announcement_at if cycle.results_are_held(at) else None


def _unit_coordinator_users(unit: HostUnit):
    return [c.user for c in unit.coordinators.select_related("user") if c.user.is_active]


# --- posts proposed by a unit -------------------------------------------------------------------


@transaction.atomic
def post_propose(*, unit: HostUnit, cycle: Cycle, actor, data: dict) -> Post:
    """A new post of ``unit`` in ``cycle``, as a draft that staff have not seen yet."""
    post = Post(unit=unit, cycle=cycle, created_by=actor, status=PostStatus.DRAFT, **data)
    post.full_clean()
    post.save()
    return post


@transaction.atomic
def post_update_draft(*, post: Post, actor, data: dict) -> Post:
    """Change a draft or returned post; a post staff are looking at or have published is frozen."""
    locked = Post.objects.select_for_update().get(pk=post.pk)
    if locked.status not in EDITABLE_POST_STATUSES:
        raise SelectionError(_("Only a draft or a returned post can be changed."), code="post_frozen")
    for name, value in data.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    return locked


def post_submit_for_approval(*, post: Post, actor) -> Post:
    if post.status not in EDITABLE_POST_STATUSES:
        raise SelectionError(_("Only a draft or a returned post can be submitted."), code="post_frozen")
    return post_submit(post=post, actor=actor)


# --- review -------------------------------------------------------------------------------------------


@transaction.atomic
def review_save(*, application: Application, reviewer, scores: dict[int, int], notes: str = "") -> Review:
    """Create or replace ``reviewer``'s scores (1–5 per criterion of the cycle) and notes."""
    criteria = {c.pk: c for c in ReviewCriterion.objects.filter(cycle_id=application.cycle_id)}
    unknown = set(scores) - set(criteria)
    if unknown:
        raise SelectionError(_("A score was given for a criterion of another cycle."), code="unknown_criterion")
    for value in scores.values():
        if not 1 <= int(value) <= 5:
            raise SelectionError(_("Scores go from 1 to 5."), code="score_range")
    review, _created = Review.objects.select_for_update().get_or_create(application=application, reviewer=reviewer)
    review.scores.exclude(criterion_id__in=scores).delete()
    for criterion_id, value in scores.items():
        ReviewScore.objects.update_or_create(review=review, criterion_id=criterion_id, defaults={"score": int(value)})
    review.notes = notes.strip()
    review.average = (
        (Decimal(sum(int(v) for v in scores.values())) / len(scores)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if scores
        else None
    )
    review.save(update_fields=["notes", "average", "updated_at"])
    return review


def rejection_reason_text(*, reason_code: str, reason_text: str = "", language: str | None = None) -> str:
    """The reason the student reads: the chosen label, then the unit's own words.

    The label is worded in ``language`` (the reader's), or in the portal's primary language
    for the audit trail, whatever language the coordinator's browser uses.
    """
    text = reason_text.strip()
    if reason_code == RejectionReason.OTHER and not text:
        raise SelectionError(_("Say why when the reason is “Other reason”."), code="reason_required")
    with translation.override(language or settings.LANGUAGE_CODE):
        label = str(RejectionReason(reason_code).label)
        if not text:
            return label
        # Translators: a label, then what is said about it; Chinese takes a full-width colon.
        return _("%(label)s: %(text)s") % {"label": label, "text": text}


@transaction.atomic
def application_shortlist(*, application: Application, actor) -> Application:
    app = application_transition(application=application, to_status=S.SHORTLISTED, actor=actor)
    app = Application.objects.select_related("student__user", "post__unit").get(pk=app.pk)
    _notify(
        recipient=app.student.user,
        kind="application_shortlisted",
        context=_application_context(app),
        event_key=f"{decision_key_prefix(app.pk)}shortlisted",
        replaces=decision_key_prefix(app.pk),
    )
    return app


@transaction.atomic
def application_reject(*, application: Application, actor, reason_code: str, reason_text: str = "") -> Application:
    reason = rejection_reason_text(reason_code=reason_code, reason_text=reason_text)
    app = application_transition(application=application, to_status=S.REJECTED, actor=actor, reason=reason)
    app = Application.objects.select_related("student__user", "post__unit").get(pk=app.pk)
    for interview in app.interviews.filter(status=LIVE_INTERVIEW):
        # The rejection tells the student; the calendar entry is withdrawn by the cancel notice.
        _interview_cancel(interview=interview, reason=reason)
    student_reason = rejection_reason_text(
        reason_code=reason_code, reason_text=reason_text, language=app.student.user.language
    )
    _notify(
        recipient=app.student.user,
        kind="application_not_shortlisted",
        context={**_application_context(app), "reason": student_reason},
        event_key=f"{decision_key_prefix(app.pk)}not_shortlisted",
        replaces=decision_key_prefix(app.pk),
    )
    return app


def applications_bulk_decide(
    *, applications: Iterable[Application], decision: str, actor, reason_code: str = "", reason_text: str = ""
) -> tuple[int, list[str]]:
    """Shortlist or reject many applications; each in its own transaction, so one refusal
    (say, a student who withdrew meanwhile) does not undo the others. Returns (done, errors)."""
    if decision == "reject":
        rejection_reason_text(reason_code=reason_code, reason_text=reason_text)  # validate once, up front
    done, errors = 0, []
    for app in applications:
        try:
            if decision == "shortlist":
                application_shortlist(application=app, actor=actor)
            elif decision == "reject":
                application_reject(application=app, actor=actor, reason_code=reason_code, reason_text=reason_text)
            else:
                raise SelectionError(_("Unknown decision."), code="unknown_decision")
            done += 1
        except DomainError as exc:
            errors.append(_("%(label)s: %(text)s") % {"label": app.student.legal_name, "text": exc.message})
    return done, errors


# --- interview slots and interviews -------------------------------------------------------------------


def _overlaps(start_a, end_a, start_b, end_b) -> bool:
    return start_a < end_b and start_b < end_a


def interviewer_conflicts(*, interviewer_ids: Iterable[int], starts_at, duration_minutes: int, exclude_slot=None):
    """Other live slots, overlapping this time, that share an interviewer: a warning, not a refusal."""
    ends_at = starts_at + dt.timedelta(minutes=duration_minutes)
    candidates = (
        InterviewSlot.objects.filter(
            is_cancelled=False,
            interviewers__in=list(interviewer_ids),
            starts_at__lt=ends_at,
            starts_at__gt=starts_at - dt.timedelta(hours=12),
        )
        .exclude(pk=getattr(exclude_slot, "pk", None))
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
    actor,
    starts_at,
    duration_minutes: int,
    mode: str,
    meeting_link: str = "",
    address: str = "",
    interviewers: Iterable = (),
    capacity: int = 1,
    self_booking: bool = False,
    post: Post | None = None,
) -> tuple[InterviewSlot, list[str]]:
    """A new slot and the warnings about interviewers booked elsewhere at the same time."""
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


def _interviewer_warnings(*, slot: InterviewSlot, interviewers: list) -> list[str]:
    ids = [getattr(u, "pk", u) for u in interviewers]
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


def _where(interview: Interview) -> dict:
    where = {}
    if interview.meeting_link:
        where["meeting_url"] = interview.meeting_link
    if interview.address:
        where["address"] = interview.address
    return where


def _interview_context(interview: Interview, *, notes: bool = True) -> dict:
    """The calendar kinds' context; ``interview_cancelled`` takes a reason instead of notes."""
    ctx = {
        **_application_context(interview.application),
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


def _interview_reminders_queue(*, interview: Interview, now=None) -> int:
    """Queue the 24 h and 1 h reminders of a scheduled interview, held until their time.

    A reminder whose time has already passed (an interview booked 3 hours ahead has no 24 h
    reminder) is skipped. Keys carry the interview's sequence, so after a change the new
    reminders are new events, the old ones having been cancelled.
    """
    now = now or timezone.now()
    recipient = interview.application.student.user
    context = {
        **_application_context(interview.application),
        "starts_at": interview.starts_at.isoformat(),
        **_where(interview),
    }
    queued = 0
    for name, kind, before in REMINDERS:
        due = interview.starts_at - before
        if due <= now:
            continue
        _notify(
            recipient=recipient,
            kind=kind,
            context=context,
            event_key=f"{interview_reminder_prefix(interview.pk)}{interview.sequence}:{name}",
            send_after=due,
        )
        queued += 1
    return queued


def _interview_reminders_cancel(*, interview: Interview) -> int:
    return _cancel_queued(recipient=interview.application.student.user, prefix=interview_reminder_prefix(interview.pk))


def _refuse_student_clash(*, student_id: int, starts_at, ends_at, exclude_interview=None) -> None:
    """Refuse a time that overlaps another live interview of the same student."""
    others = (
        Interview.objects.filter(application__student_id=student_id, status=LIVE_INTERVIEW)
        .exclude(pk=getattr(exclude_interview, "pk", None))
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
def interview_book(*, application: Application, slot: InterviewSlot, actor, by_student: bool = False) -> Interview:
    """Put a shortlisted applicant into a slot: assigned by the unit, or chosen by the student.

    First come, first served: the slot row is locked while its places are counted, and the
    student's row while their other interviews are checked for an overlap.
    """
    application = Application.objects.select_related("post__unit", "student__user").get(pk=application.pk)
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
    _notify(
        recipient=application.student.user,
        kind="interview_invitation",
        context=_interview_context(interview),
        event_key=f"{prefix}{interview.sequence}:invitation",
        replaces=prefix,
    )
    _interview_reminders_queue(interview=interview)
    return interview


@transaction.atomic
def interview_reschedule(*, interview: Interview, slot: InterviewSlot, actor) -> Interview:
    """Move a scheduled interview into another slot of the unit, telling the student."""
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
    _cancel_queued(recipient=student, prefix=prefix)
    if _was_told(recipient=student, prefix=prefix):
        what, context = "rescheduled", {**_interview_context(locked), "previous_starts_at": previous.isoformat()}
    else:  # the invitation never went out: the student learns only the new time
        what, context = "invitation", _interview_context(locked)
    _notify(recipient=student, kind=f"interview_{what}", context=context, event_key=f"{prefix}{locked.sequence}:{what}")
    _interview_reminders_cancel(interview=locked)
    _interview_reminders_queue(interview=locked)
    return locked


def _interview_cancel(*, interview: Interview, reason: str, actor=None) -> Interview:
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
    _cancel_queued(recipient=student, prefix=prefix)
    # A student who was never told of the interview (its invitation was still queued) is not
    # told of its cancellation either: there is nothing in their calendar to remove.
    if _was_told(recipient=student, prefix=prefix):
        _notify(
            recipient=student,
            kind="interview_cancelled",
            context={**_interview_context(locked, notes=False), "reason": reason},
            event_key=f"{prefix}{locked.sequence}:cancelled",
        )
    return locked


@transaction.atomic
def interview_cancel(*, interview: Interview, actor, reason: str = "") -> Interview:
    return _interview_cancel(interview=interview, reason=reason.strip(), actor=actor)


@transaction.atomic
def application_withdrawal_settle(*, application: Application, actor) -> int:
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
        interview_cancel(interview=interview, actor=actor, reason=reason)
        cancelled += 1
    return cancelled


@transaction.atomic
def interview_slot_cancel(*, slot: InterviewSlot, actor, reason: str = "") -> int:
    """Cancel a slot and every interview booked in it; returns how many interviews were cancelled."""
    locked = InterviewSlot.objects.select_for_update().get(pk=slot.pk)
    locked.is_cancelled = True
    locked.save(update_fields=["is_cancelled"])
    cancelled = 0
    for interview in locked.interviews.filter(status=LIVE_INTERVIEW):
        _interview_cancel(interview=interview, reason=reason.strip(), actor=actor)
        cancelled += 1
    return cancelled


@transaction.atomic
def interview_record(
    *, interview: Interview, actor, attended: bool, score: int | None = None, outcome: str = "", notes: str = ""
) -> Interview:
    """After the interview: attendance, score (0–100) and outcome.

    An attended interview makes the application "interviewed" (ready to be ranked); one the
    unit does not recommend also marks it "not selected", a decision held until the
    announcement like any other.
    """
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


# --- ranking, offers and placements ---------------------------------------------------------------------


RANKABLE_STATUSES = RANKABLE_APPLICATION_STATUSES
BACKUP_STATUSES = frozenset({S.INTERVIEWED, S.NOT_SELECTED})


@transaction.atomic
def post_ranking_set(*, post: Post, ordered_application_ids: list[int], actor) -> int:
    """Store the post's ranked list: the given applications get ranks 1, 2, 3…, the rest none."""
    Post.objects.select_for_update().get(pk=post.pk)
    apps = {a.pk: a for a in Application.objects.filter(post=post, status__in=RANKABLE_STATUSES)}
    unknown = [pk for pk in ordered_application_ids if pk not in apps]
    if unknown:
        raise SelectionError(_("Only interviewed applicants of this post can be ranked."), code="not_rankable")
    if len(set(ordered_application_ids)) != len(ordered_application_ids):
        raise SelectionError(_("An applicant appears twice in the ranking."), code="duplicate")
    ranks = {pk: i for i, pk in enumerate(ordered_application_ids, start=1)}
    changed = []
    for pk, app in apps.items():
        rank = ranks.get(pk)
        if app.selection_rank != rank:
            app.selection_rank = rank
            changed.append(app)
    Application.objects.bulk_update(changed, ["selection_rank"])
    return len(changed)


@transaction.atomic
def application_not_select(*, application: Application, actor, reason: str = "", at=None) -> Application:
    """The unit does not select this applicant (they stay eligible for its backup list).

    No message yet: the student may still be interviewed or offered a place elsewhere, or be
    passed an offer from this post's backups. They hear "not selected" once, for the whole
    cycle, when its selection closes (``cycle_selection_close``); until the announcement the
    status itself is held like every decision.
    """
    return application_transition(application=application, to_status=S.NOT_SELECTED, actor=actor, reason=reason, at=at)


def post_free_places(*, post: Post) -> int:
    taken = Offer.objects.filter(post_id=post.pk, status__in=HOLDING_OFFER_STATUSES).count()
    return post.headcount - taken


def _offer_deadline(cycle: Cycle, at: dt.datetime) -> dt.datetime | None:
    """The deadline of an offer made at ``at``; none yet while results are held."""
    if cycle.results_are_held(at):
        return None
    return at + dt.timedelta(hours=cycle.offer_valid_hours)


def _offer_create_locked(*, locked_post: Post, application: Application, actor, from_backup: bool, at) -> Offer:
    """Make an offer; the caller holds the lock on ``locked_post``."""
    if post_free_places(post=locked_post) <= 0:
        raise CapacityError(
            ngettext(
                "The %(n)s place of this post is taken by an open or accepted offer.",
                "All %(n)s places of this post are taken by open or accepted offers.",
                locked_post.headcount,
            )
            % {"n": locked_post.headcount},
            code="post_full",
        )
    StudentProfile.objects.select_for_update().get(pk=application.student_id)
    if Offer.objects.filter(
        student_id=application.student_id, cycle_id=locked_post.cycle_id, status=OfferStatus.ACCEPTED
    ).exists():
        raise SelectionError(_("This student has already accepted a place in this cycle."), code="already_placed")
    app = application_transition(application=application, to_status=S.OFFERED, actor=actor, at=at)
    cycle = locked_post.cycle
    offer = Offer.objects.create(
        application=app,
        post=locked_post,
        student_id=app.student_id,
        cycle=cycle,
        from_backup=from_backup,
        made_by=actor,
        made_at=at,
        expires_at=_offer_deadline(cycle, at),
    )
    app = Application.objects.select_related("student__user", "post__unit").get(pk=app.pk)
    held_until = _held_until(cycle, at)
    respond_by = offer.expires_at or (held_until + dt.timedelta(hours=cycle.offer_valid_hours))
    context = {**_application_context(app), "respond_by_at": respond_by.isoformat()}
    if not from_backup:
        context |= {
            "starts_on": locked_post.starts_on.isoformat(),
            "ends_on": locked_post.ends_on.isoformat(),
            "term": str(locked_post.get_term_display()),
        }
    student = app.student.user
    # A "not selected" still queued for this student (a reopened selection) is no longer true.
    _cancel_queued(recipient=student, prefix=not_selected_key(cycle_id=cycle.pk, student_id=app.student_id))
    _notify(
        recipient=student,
        kind="offer_from_backup" if from_backup else "offer_made",
        context=context,
        event_key=f"{decision_key_prefix(app.pk)}offer:{offer.pk}",
        replaces=decision_key_prefix(app.pk),
        send_after=held_until,
    )
    return offer


@transaction.atomic
def offer_make(*, application: Application, actor, at=None) -> Offer:
    """Offer ``application`` a place on its post, if the post has one free.

    The post row is locked first, so of many offers arriving at once exactly the free places
    succeed and the others get a ``CapacityError``.
    """
    at = at or timezone.now()
    locked_post = Post.objects.select_for_update().select_related("cycle").get(pk=application.post_id)
    if locked_post.status not in {PostStatus.PUBLISHED, PostStatus.CLOSED}:
        raise SelectionError(_("Offers are made only on published posts."), code="post_not_published")
    if locked_post.cycle.status in SELECTION_OVER:
        raise SelectionError(_("The selection of this cycle has closed."), code="selection_closed")
    return _offer_create_locked(locked_post=locked_post, application=application, actor=actor, from_backup=False, at=at)


def _backup_candidates(post: Post):
    placed = Offer.objects.filter(cycle_id=post.cycle_id, status=OfferStatus.ACCEPTED).values("student_id")
    return (
        Application.objects.filter(post=post, status__in=BACKUP_STATUSES, selection_rank__isnull=False)
        .exclude(offers__isnull=False)
        .exclude(student_id__in=placed)
        .order_by("selection_rank", "submitted_at", "pk")
    )


@transaction.atomic
def offer_pass_to_backup(*, post: Post, actor=None, at=None) -> list[Offer]:
    """Fill the post's free places from its ranked backup list, best rank first."""
    at = at or timezone.now()
    locked_post = Post.objects.select_for_update().select_related("cycle").get(pk=post.pk)
    if locked_post.cycle.status in SELECTION_OVER:
        return []  # a place freed after the selection closed stays free
    made, skipped = [], []
    while post_free_places(post=locked_post) > 0:
        candidate = _backup_candidates(locked_post).exclude(pk__in=skipped).first()
        if candidate is None:
            break
        try:
            with transaction.atomic():
                made.append(
                    _offer_create_locked(
                        locked_post=locked_post, application=candidate, actor=actor, from_backup=True, at=at
                    )
                )
        except DomainError as exc:  # e.g. the backup withdrew a moment ago: try the next one
            logger.info("Backup %s skipped on post %s: %s", candidate.pk, locked_post.pk, exc)
            skipped.append(candidate.pk)
    return made


def _offer_lock_for_answer(*, offer: Offer, actor, at) -> Offer:
    locked = (
        Offer.objects.select_for_update()
        .select_related("cycle", "post__unit", "application", "student")
        .get(pk=offer.pk)
    )
    if actor is not None and locked.student.user_id != actor.pk:
        raise SelectionError(_("This offer is not yours."), code="not_yours")
    if not OFFER_MACHINE.allows(locked.status, OfferStatus.ACCEPTED):
        raise SelectionError(_("This offer is no longer open."), code="not_open")
    if locked.cycle.results_are_held(at):
        raise SelectionError(_("Results have not been announced yet."), code="held")
    if locked.expires_at is None:  # a held offer: its deadline starts at the announcement
        locked.expires_at = (locked.cycle.announcement_at or locked.made_at) + dt.timedelta(
            hours=locked.cycle.offer_valid_hours
        )
        locked.save(update_fields=["expires_at"])
    if locked.expires_at <= at:
        raise SelectionError(_("The deadline to answer this offer has passed."), code="expired")
    return locked


def offer_accept(*, offer: Offer, actor, at=None) -> Placement:
    """The student takes the place: creates the Placement and releases their other offers.

    Runs in two steps: the acceptance (student row locked, then the offers), then — once it is
    committed — each released place passes to its post's backup list.
    """
    at = at or timezone.now()
    with transaction.atomic():
        StudentProfile.objects.select_for_update().get(pk=offer.student_id)
        locked = _offer_lock_for_answer(offer=offer, actor=actor, at=at)
        OFFER_MACHINE.move(locked, OfferStatus.ACCEPTED, actor=actor, at=at, locked=True, fields={"responded_at": at})
        application_transition(application=locked.application, to_status=S.ACCEPTED, actor=actor, at=at)
        post = locked.post
        placement = Placement.objects.create(
            application=locked.application,
            student_id=locked.student_id,
            post=post,
            term=post.term,
            starts_on=post.starts_on,
            ends_on=post.ends_on,
        )
        released_posts = _release_other_offers(offer=locked, actor=actor, at=at)
        _withdraw_other_applications(offer=locked, actor=actor, at=at)
        app = Application.objects.select_related("student__user", "post__unit").get(pk=locked.application_id)
        _notify(
            recipient=app.student.user,
            kind="offer_accepted_onboarding",
            context=_onboarding_context(app=app, placement=placement),
            event_key=f"{decision_key_prefix(app.pk)}accepted",
            replaces=decision_key_prefix(app.pk),
        )
    for released_post in released_posts:
        offer_pass_to_backup(post=released_post, at=at)
    return placement


def _onboarding_context(*, app: Application, placement: Placement) -> dict:
    """What the student needs on the first day. The unit's contact person receives them; the
    mentor is named too when one has already been assigned (usually later, by the unit)."""
    post, unit = placement.post, placement.post.unit
    report_at = timezone.make_aware(dt.datetime.combine(placement.starts_on, dt.time(8, 30)))
    context = {
        **_application_context(app),
        "unit_address": unit.address or post.place_of_work,
        "starts_on": placement.starts_on.isoformat(),
        "report_at": report_at.isoformat(),
        "contact_name": unit.contact_name,
        "contact_details": unit.contact_phone or unit.contact_email,
    }
    if not unit.contact_name:  # no contact person on file: the unit's coordinator
        coordinator = unit.coordinators.select_related("user").order_by("pk").first()
        if coordinator is not None:
            context["contact_name"] = str(coordinator.user)
            context["contact_details"] = coordinator.phone or coordinator.user.mobile or coordinator.user.email
    mentor = placement.mentor
    if mentor is not None:
        context["mentor_name"] = str(mentor.user)
        context["mentor_contact"] = mentor.phone or mentor.user.email
    return context


def _release_other_offers(*, offer: Offer, actor, at) -> list[Post]:
    others = (
        Offer.objects.select_for_update()
        .filter(student_id=offer.student_id, cycle_id=offer.cycle_id, status=OfferStatus.OPEN)
        .exclude(pk=offer.pk)
        .select_related("post__unit", "application")
    )
    posts = []
    for other in others:
        OFFER_MACHINE.move(
            other,
            OfferStatus.RELEASED,
            actor=actor,
            at=at,
            locked=True,
            reason=_("Accepted a place on another post."),
            fields={"responded_at": at},
        )
        # The student chose another post: an offer message for this one still queued is stale.
        _cancel_queued(recipient=offer.student.user_id, prefix=decision_key_prefix(other.application_id))
        application_transition(
            application=other.application,
            to_status=S.DECLINED,
            actor=actor,
            at=at,
            reason=_("Accepted a place on another post."),
        )
        for user in _unit_coordinator_users(other.post.unit):
            _notify(
                recipient=user,
                kind="offer_released",
                context={
                    "coordinator_name": str(user),
                    "unit_name": other.post.unit.name,
                    "post_title": other.post.title,
                    "student_name": offer.student.legal_name,
                    "released_at": at.isoformat(),
                    "url": f"/unit/posts/{other.post_id}/ranking/",
                },
                event_key=f"offer:{other.pk}:released",
            )
        posts.append(other.post)
    return posts


def _withdraw_other_applications(*, offer: Offer, actor, at) -> None:
    """A placed student leaves the other posts' lists, so units do not interview them in vain."""
    others = Application.objects.filter(
        student_id=offer.student_id, cycle_id=offer.cycle_id, status__in={S.SUBMITTED, S.SHORTLISTED, S.INTERVIEWED}
    ).exclude(pk=offer.application_id)
    for app in others:
        for interview in app.interviews.filter(status=LIVE_INTERVIEW):
            _interview_cancel(interview=interview, reason=_("The student accepted a place on another post."))
        application_transition(
            application=app, to_status=S.WITHDRAWN, actor=actor, at=at, reason=_("Accepted a place on another post.")
        )


def offer_decline(*, offer: Offer, actor, at=None) -> Offer:
    """The student turns the offer down; the place passes to the post's next backup."""
    at = at or timezone.now()
    with transaction.atomic():
        StudentProfile.objects.select_for_update().get(pk=offer.student_id)
        locked = _offer_lock_for_answer(offer=offer, actor=actor, at=at)
        OFFER_MACHINE.move(locked, OfferStatus.DECLINED, actor=actor, at=at, locked=True, fields={"responded_at": at})
        application_transition(application=locked.application, to_status=S.DECLINED, actor=actor, at=at)
        _cancel_queued(recipient=locked.student.user_id, prefix=decision_key_prefix(locked.application_id))
    offer_pass_to_backup(post=locked.post, at=at)
    return locked


@transaction.atomic
def offer_start_held(*, at=None) -> int:
    """Start the deadline of offers whose cycle's announcement time has come."""
    at = at or timezone.now()
    started = 0
    for offer in (
        Offer.objects.select_for_update()
        .filter(status=OfferStatus.OPEN, expires_at__isnull=True)
        .select_related("cycle")
    ):
        if offer.cycle.results_are_held(at):
            continue
        offer.expires_at = (offer.cycle.announcement_at or offer.made_at) + dt.timedelta(
            hours=offer.cycle.offer_valid_hours
        )
        offer.save(update_fields=["expires_at"])
        started += 1
    return started


def _offer_lapse(*, offer: Offer, at, reason: str, actor=None) -> None:
    """An open offer ends unanswered; the caller holds its lock. Unsent reminders of it go."""
    OFFER_MACHINE.move(offer, OfferStatus.EXPIRED, actor=actor, at=at, reason=reason, locked=True)
    application_transition(application=offer.application, to_status=S.DECLINED, actor=actor, at=at, reason=reason)
    _cancel_queued(recipient=offer.student.user_id, prefix=decision_key_prefix(offer.application_id))


def offer_expire_due(*, at=None) -> int:
    """Lapse every open offer past its deadline and pass each place on. Safe to run again."""
    at = at or timezone.now()
    offer_start_held(at=at)
    expired = 0
    due = Offer.objects.filter(status=OfferStatus.OPEN, expires_at__lte=at).values_list("pk", flat=True)
    posts: dict[int, Post] = {}
    for pk in list(due):
        with transaction.atomic():
            locked = Offer.objects.select_for_update().select_related("post", "application", "student").get(pk=pk)
            if locked.status != OfferStatus.OPEN or locked.expires_at is None or locked.expires_at > at:
                continue
            _offer_lapse(offer=locked, at=at, reason=_("The offer lapsed unanswered."))
            posts[locked.post_id] = locked.post
            expired += 1
    # Also any post whose place was freed earlier but not passed on (a crash between the steps).
    freed = Offer.objects.filter(
        Q(status__in={OfferStatus.DECLINED, OfferStatus.EXPIRED, OfferStatus.RELEASED}),
        post__status__in={PostStatus.PUBLISHED, PostStatus.CLOSED},
    ).values_list("post_id", flat=True)
    for post in Post.objects.filter(pk__in=set(freed)).exclude(pk__in=posts):
        posts[post.pk] = post
    for post in posts.values():
        offer_pass_to_backup(post=post, at=at)
    return expired


# --- closing the selection of a cycle ---------------------------------------------------------------


#: Applications still in the running when the selection closes, and where each one ends.
_CLOSE_MOVES: dict[str, str] = {
    S.SUBMITTED: S.REJECTED,
    S.SHORTLISTED: S.REJECTED,
    S.INTERVIEWED: S.NOT_SELECTED,
}


def cycle_selection_close(*, cycle: Cycle, actor=None, at=None) -> dict[str, int]:
    """End the selection of ``cycle``: OPEN → SELECTION_CLOSED, and everyone not placed is told.

    In one transaction:

    * open offers whose deadline is running lapse (their places are not passed on: no offer
      is made once the selection has closed). Offers still held for the announcement stay
      open — they *are* the results about to be announced;
    * every application still in the running ends: an interviewed one as not selected (held
      until the announcement like any decision), one never interviewed as not shortlisted;
      interviews still scheduled are cancelled;
    * each student left without a place — not placed, no held offer — gets one
      ``not_selected`` message for the cycle, however many posts they applied to, held until
      the announcement time when one is set.

    Returns counts for the caller's message. Refused (``CycleError``) unless the cycle is open.
    """
    at = at or timezone.now()
    with transaction.atomic():
        cycle = cycle_transition(
            cycle=cycle, to_status=CycleStatus.SELECTION_CLOSED, actor=actor, reason="selection closed"
        )
        reason = _("The selection of the cycle has closed.")
        touched: set[int] = set()  # students whose selection this close ended
        lapsed = 0
        for offer in (
            Offer.objects.select_for_update()
            .filter(cycle=cycle, status=OfferStatus.OPEN, expires_at__isnull=False)
            .select_related("application", "student")
            .order_by("pk")
        ):
            _offer_lapse(offer=offer, at=at, reason=reason, actor=actor)
            touched.add(offer.student_id)
            lapsed += 1
        ended = 0
        for app in (
            Application.objects.filter(cycle=cycle, status__in=_CLOSE_MOVES)
            .select_related("student__user", "post__unit")
            .order_by("pk")
        ):
            for interview in app.interviews.filter(status=LIVE_INTERVIEW):
                _interview_cancel(interview=interview, reason=reason)
            application_transition(
                application=app, to_status=_CLOSE_MOVES[app.status], actor=actor, at=at, reason=reason
            )
            touched.add(app.student_id)
            ended += 1
        told = _not_selected_queue(cycle=cycle, student_ids=touched, at=at)
    return {"offers_lapsed": lapsed, "applications_ended": ended, "students_told": told}


def _not_selected_queue(*, cycle: Cycle, student_ids: set[int], at) -> int:
    """One ``not_selected`` per student of ``student_ids`` (or with a not-selected application)
    who has neither an accepted nor a held offer in the cycle; returns how many were queued."""
    candidates = set(student_ids) | set(
        Application.objects.filter(cycle=cycle, status=S.NOT_SELECTED).values_list("student_id", flat=True)
    )
    still_holding = set(
        Offer.objects.filter(cycle=cycle, status__in=HOLDING_OFFER_STATUSES).values_list("student_id", flat=True)
    )
    send_after = _held_until(cycle, at)
    told = 0
    for student in (
        StudentProfile.objects.filter(pk__in=candidates - still_holding).select_related("user").order_by("pk")
    ):
        rows = _notify(
            recipient=student.user,
            kind="not_selected",
            context={"student_name": student.legal_name, "cycle_title": cycle.title, "url": "/my/selection/"},
            event_key=not_selected_key(cycle_id=cycle.pk, student_id=student.pk),
            send_after=send_after,
        )
        told += bool(rows)
    return told


# --- held messages follow the announcement time ---------------------------------------------------

#: Kinds queued with ``send_after=Cycle.announcement_at`` while a cycle's results are held.
HELD_KINDS = frozenset({"offer_made", "offer_from_backup", "not_selected"})


def held_notifications_sync(*, cycle: Cycle | None = None, at=None) -> int:
    """Keep held messages on their cycle's *current* announcement time; returns rows moved.

    A held message is queued with the announcement time of the moment. When staff move the
    announcement (or clear it), the queued rows still waiting follow: earlier or cleared →
    due now, later → due then. Runs for every cycle with ``tasks.offers_expire``, and for one
    ``cycle`` as soon as staff change it (``cycle_announcement_follow``); safe to run again.
    """
    from jinseed.notifications.enums import NotificationStatus
    from jinseed.notifications.models import Notification

    at = at or timezone.now()
    rows = list(
        Notification.objects.filter(
            status=NotificationStatus.QUEUED,
            kind__in=HELD_KINDS,
            send_after__gt=at,
            attempts=0,  # a row waiting to retry keeps its backoff
        ).only("pk", "event_key", "send_after")
    )
    if not rows:
        return 0
    app_ids, cycle_of_row = set(), {}
    for row in rows:
        scope, _sep, rest = row.event_key.partition(":")
        pk = rest.partition(":")[0]
        if scope not in {"application", "cycle"} or not pk.isdigit():
            continue  # not a key this module writes
        if scope == "application":
            app_ids.add(int(pk))
        cycle_of_row[row.pk] = (scope, int(pk))
    app_cycle = dict(Application.objects.filter(pk__in=app_ids).values_list("pk", "cycle_id"))
    cycle_ids = {app_cycle.get(pk) if scope == "application" else pk for scope, pk in cycle_of_row.values()}
    cycles = {cycle.pk: cycle} if cycle is not None else Cycle.objects.in_bulk(cycle_ids - {None})
    moved = 0
    for row in rows:
        if row.pk not in cycle_of_row:
            continue
        scope, pk = cycle_of_row[row.pk]
        row_cycle = cycles.get(app_cycle.get(pk) if scope == "application" else pk)
        if row_cycle is None:
            continue
        due = row_cycle.announcement_at if row_cycle.results_are_held(at) else at
        if due != row.send_after:
            moved += Notification.objects.filter(pk=row.pk, status=NotificationStatus.QUEUED).update(
                send_after=due, enqueued_at=None, updated_at=at
            )
    return moved


def cycle_announcement_follow(*, cycle: Cycle, at=None) -> int:
    """Staff moved ``cycle``'s announcement time: follow now, not at the next periodic run.

    An announcement moved into the past (or cleared) publishes the held decisions; the
    queued held messages of the cycle move to the new time (or become due now). Returns the
    messages moved. Called through ``positions.signals.cycle_timeline_changed``.
    """
    at = at or timezone.now()
    application_publish_held(cycle=cycle, at=at)
    return held_notifications_sync(cycle=cycle, at=at)
