"""Closing a cycle's selection, and held messages following the announcement time."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.enums import HELD_DECISIONS
from applicants.models import Application, StudentProfile
from applicants.services import application_publish_held, applications_move_all
from jinseed.accounts.models import User
from jinseed.authz import authorize
from jinseed.bulk import id_batches
from jinseed.jobs.models import Job
from jinseed.jobs.services import JobContext
from jinseed.notifications.services import QueuedMessage, notification_queue_many
from placements.models import Interview, Offer
from placements.selection.enums import (
    HOLDING_OFFER_STATUSES,
    OfferStatus,
)
from positions.enums import CycleStatus
from positions.models import Cycle
from positions.services import cycle_transition

from .core import LIVE_INTERVIEW, S, SelectionError
from .interviews import interviews_call_off_many
from .notify import not_selected_key, release_time
from .offers import offers_lapse_many

#: Applications still in the running when the selection closes, and where each one ends.
_CLOSE_MOVES: dict[str, str] = {
    S.SUBMITTED: S.REJECTED,
    S.SHORTLISTED: S.REJECTED,
    S.INTERVIEWED: S.NOT_SELECTED,
}


CLOSE_JOB = "placements.selection_close"


def cycle_selection_close_start(*, cycle: Cycle, actor: User | None) -> Job:
    """Start the job that closes ``cycle``'s selection (inline without a broker). Staff ask
    from the confirmation page, which shows what the close will do and then its progress."""
    from jinseed.jobs.models import Job
    from jinseed.jobs.services import job_start

    authorize("selection.close_selection", actor, cycle, error=SelectionError)
    if cycle.status != CycleStatus.OPEN:
        raise SelectionError(_("The selection of this cycle is already closed."), code="selection_closed")
    running = Job.objects.filter(kind=CLOSE_JOB, params__cycle_id=cycle.pk, finished_at__isnull=True)
    if running.exists():
        raise SelectionError(_("The selection of this cycle is being closed already."), code="close_running")
    return job_start(kind=CLOSE_JOB, params={"cycle_id": cycle.pk}, actor=actor)


def cycle_selection_close_job(context: JobContext) -> dict[str, Any]:
    """Handler of ``CLOSE_JOB`` (registered in ``placements.apps``)."""
    cycle = Cycle.objects.get(pk=context.params["cycle_id"])
    return cycle_selection_close(cycle=cycle, actor=context.actor, context=context)


def cycle_selection_close(
    *, cycle: Cycle, actor: User | None = None, at: datetime | None = None, context: JobContext | None = None
) -> dict[str, int]:
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

    Set-based: each step reads its rows with one locking query and moves them with the state
    machine's ``move_many`` (by batches of ids), so the queries grow with the batches only;
    the applications, the most numerous, move by status (``applications_move_all``).
    Returns counts for the caller's message. Refused (``CycleError``) unless the cycle is open.
    """
    authorize("selection.close_selection", actor, cycle, error=SelectionError)
    at = at or timezone.now()
    if context is not None:
        context.set_total(4)  # offers, applications and interviews, messages, commit
    with transaction.atomic():
        cycle = cycle_transition(
            cycle=cycle, to_status=CycleStatus.SELECTION_CLOSED, actor=actor, reason="selection closed"
        )
        reason = _("The selection of the cycle has closed.")
        lapsed = offers_lapse_many(
            offers=Offer.objects.filter(cycle=cycle, status=OfferStatus.OPEN, expires_at__isnull=False),
            at=at,
            reason=reason,
            actor=actor,
        )
        touched = {student for _pk, _post, student in lapsed}  # students whose selection this close ended
        if context is not None:
            context.advance()
        ending = list(
            Application.objects.filter(cycle=cycle, status__in=_CLOSE_MOVES)
            .select_for_update(of=("self",))
            .values_list("pk", "student_id", "status")
        )
        interviews_call_off_many(
            interviews=Interview.objects.filter(
                application__cycle=cycle, application__status__in=_CLOSE_MOVES, status=LIVE_INTERVIEW
            ),
            reason=reason,
            actor=actor,
        )
        held = cycle.results_are_held(at)
        for source, target in _CLOSE_MOVES.items():
            hidden = held and target in HELD_DECISIONS
            applications_move_all(
                cycle=cycle,
                from_status=source,
                to_status=target,
                actor=actor,
                reason=reason,
                at=at,
                fields={} if hidden else {"published_status": target},
                visible_at=(cycle.announcement_at or at) if hidden else at,
            )
        touched |= {student for _pk, student, _status in ending}
        if context is not None:
            context.advance()
        told = _not_selected_queue(cycle=cycle, student_ids=touched, at=at)
        if context is not None:
            context.advance()
    if context is not None:
        context.advance()
    return {"offers_lapsed": len(lapsed), "applications_ended": len(ending), "students_told": told}


def _not_selected_queue(*, cycle: Cycle, student_ids: set[int], at: datetime) -> int:
    """One ``not_selected`` per student of ``student_ids`` (or with a not-selected application)
    who has neither an accepted nor a held offer in the cycle; returns how many were queued."""
    candidates = set(student_ids) | set(
        Application.objects.filter(cycle=cycle, status=S.NOT_SELECTED).values_list("student_id", flat=True)
    )
    still_holding = set(
        Offer.objects.filter(cycle=cycle, status__in=HOLDING_OFFER_STATUSES).values_list("student_id", flat=True)
    )
    students = (
        StudentProfile.objects.filter(pk__in=Subquery(Application.objects.filter(cycle=cycle).values("student_id")))
        .order_by("pk")
        .values_list("pk", "legal_name", "user_id")
    )
    wanted = candidates - still_holding
    messages = [
        QueuedMessage(
            recipient_id=user_id,
            context={"student_name": legal_name, "cycle_title": cycle.title, "url": "/my/selection/"},
            event_key=not_selected_key(cycle_id=cycle.pk, student_id=pk),
        )
        for pk, legal_name, user_id in students
        if pk in wanted
    ]
    recipients = notification_queue_many(kind="not_selected", messages=messages, send_after=release_time(cycle, at))
    return len(set(recipients))


#: Kinds queued with ``send_after=Cycle.announcement_at`` while a cycle's results are held.
HELD_KINDS = frozenset({"offer_made", "offer_from_backup", "not_selected"})


def held_notifications_sync(*, cycle: Cycle | None = None, at: datetime | None = None) -> int:
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
    app_ids: set[int] = set()
    cycle_of_row: dict[int, tuple[str, int]] = {}
    for row in rows:
        scope, _sep, rest = row.event_key.partition(":")
        pk = rest.partition(":")[0]
        if scope not in {"application", "cycle"} or not pk.isdigit():
            continue  # not a key this module writes
        if scope == "application":
            app_ids.add(int(pk))
        cycle_of_row[row.pk] = (scope, int(pk))
    app_cycle: dict[int, int] = {}
    for batch in id_batches(app_ids):
        app_cycle.update(Application.objects.filter(pk__in=batch).values_list("pk", "cycle_id"))
    cycle_ids = {app_cycle.get(pk) if scope == "application" else pk for scope, pk in cycle_of_row.values()}
    cycles = {cycle.pk: cycle} if cycle is not None else Cycle.objects.in_bulk(cycle_ids - {None})
    moved = 0
    for row in rows:
        if row.pk not in cycle_of_row:
            continue
        scope, ref = cycle_of_row[row.pk]
        cycle_id = app_cycle.get(ref) if scope == "application" else ref
        row_cycle = cycles.get(cycle_id) if cycle_id is not None else None
        if row_cycle is None:
            continue
        due = row_cycle.announcement_at if row_cycle.results_are_held(at) else at
        if due != row.send_after:
            moved += Notification.objects.filter(pk=row.pk, status=NotificationStatus.QUEUED).update(
                send_after=due, enqueued_at=None, updated_at=at
            )
    return moved


def cycle_announcement_follow(*, cycle: Cycle, at: datetime | None = None) -> int:
    """Staff moved ``cycle``'s announcement time: follow now, not at the next periodic run.

    An announcement moved into the past (or cleared) publishes the held decisions; the
    queued held messages of the cycle move to the new time (or become due now). Returns the
    messages moved. Called through ``positions.signals.cycle_timeline_changed``.
    """
    at = at or timezone.now()
    application_publish_held(cycle=cycle, at=at)
    return held_notifications_sync(cycle=cycle, at=at)
