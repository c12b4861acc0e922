"""The district-wide allocation round: a stable, student-optimal allocation of the ranked posts.

Beside the offer flow (a unit offers, first come first served, backups fill freed places),
staff may allocate a cycle at once. The inputs are what the selection already holds: each
student's preference ranks (``Application.preference_rank``) and each post's ranking of its
interviewed applicants (``Application.selection_rank``); the places are the headcount minus
the open and accepted offers. ``matching.deferred_acceptance`` computes the student-optimal
stable matching, ties broken by the rule documented in ``matching`` (a student's equal ranks:
the lower post id first; a unit's equal ranks: the earlier application, then the lower student
id).

Lifecycle of an ``AllocationRound``: PREVIEWED (``allocation_preview``: who would get what,
stored with a SHA-256 fingerprint of the inputs) → CONFIRMED (``allocation_confirm``: the
offers are made, in one transaction) or SUPERSEDED (a newer preview of the cycle). Confirming
reads the inputs again under the locks of the posts and students and refuses when the
fingerprint differs: a ranking, a preference or a free place changed since the preview, which
must then be run again. A confirmed round is never confirmed again. ``allocation_run``
(``manage.py allocate``) takes both steps in one transaction: it reads the inputs under the
locks, records the round and confirms it at once, so it has nothing to compare.

Both steps run as background jobs (``allocation_preview_start``, ``allocation_confirm_start``)
through the ORM, the same on every database: one read of the posts with their places taken,
one read of the taking-part applications in id order (hashed into the fingerprint as they
pass), the matching in memory, ``bulk_create`` for the offers and
``APPLICATION_MACHINE.move_ids`` for the applications. The students' messages follow the
commit (``allocation_offer_messages_queue``, ``notification_queue_many``): a confirmed round
whose ``messages_queued_at`` is empty still owes them, and the ``frequent`` notification hook
pays what a lost task did not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import Application, StudentProfile
from applicants.services import APPLICATION_MACHINE
from jinseed.accounts.models import User
from jinseed.authz import authorize
from jinseed.bulk import BATCH, id_batches
from jinseed.jobs.models import Job
from jinseed.jobs.services import JobContext, job_start
from jinseed.notifications.services import (
    QueuedMessage,
    notification_cancel_under,
    notification_queue_many,
)
from jinseed.statemachine import StatusMachine, status_change_audit
from placements.models import AllocationRound, Offer
from placements.selection.enums import (
    ALLOCATION_TRANSITIONS,
    HOLDING_OFFER_STATUSES,
    AllocationStatus,
    OfferStatus,
)
from placements.selection.matching import (
    MatchingInputError,
    MatchingInstance,
    MatchResult,
    RankedApplication,
    deferred_acceptance,
    instance_from_applications,
)
from positions.enums import PostStatus, TermType
from positions.models import Cycle, HostUnit, Post

from .core import SELECTION_OVER, S, SelectionError
from .notify import decision_key_prefix, not_selected_key, release_time

logger = logging.getLogger(__name__)

PREVIEW_JOB = "placements.allocation_preview"
CONFIRM_JOB = "placements.allocation_confirm"

#: Applications an allocation may offer a place to: interviewed, or not selected (a backup).
ALLOCATION_STATUSES = frozenset({S.INTERVIEWED, S.NOT_SELECTED})
#: Posts on which offers are made.
OFFERABLE_POST_STATUSES = frozenset({PostStatus.PUBLISHED, PostStatus.CLOSED})
#: How many matched pairs, unplaced students and posts with empty places the page lists.
SHOWN = 200
#: Applications fetched at a time while they are read: the read holds a chunk, not them all.
READ_CHUNK = 5_000


class AllocationError(SelectionError):
    pass


ALLOCATION_MACHINE = StatusMachine(
    model=AllocationRound,
    transitions=ALLOCATION_TRANSITIONS,
    labels=AllocationStatus,
    error=AllocationError,
    audit=status_change_audit(AllocationRound),
)


@dataclass
class AllocationInputs:
    """What the matching is computed from, as read from the database."""

    #: The matching instance (``None`` when only the fingerprint was read).
    instance: MatchingInstance | None
    #: How many applications take part.
    applications: int
    #: (student id, post id) -> application id, for every application a post ranks (the only
    #: ones a matching can pair); empty when only the fingerprint was read.
    application_ids: dict[tuple[int, int], int]
    #: post id -> (unit id, headcount, places left)
    posts: dict[int, tuple[int, int, int]]
    fingerprint: str

    def matching_instance(self) -> MatchingInstance:
        """The instance, which only a read ``with_instance`` has."""
        if self.instance is None:
            raise RuntimeError("the allocation's inputs were read without the matching instance")
        return self.instance

    def application_of(self, student: int, post: int) -> int:
        """The id of ``student``'s application to ``post``."""
        return self.application_ids[student, post]


def _applications(cycle: Cycle) -> QuerySet[Application]:
    """The applications that take part: allocatable, to one of the cycle's offerable posts, of
    a student who holds no open or accepted offer in the cycle (their place is settled or
    being answered)."""
    holding = Offer.objects.filter(cycle=cycle, status__in=HOLDING_OFFER_STATUSES).values("student_id")
    offerable = Post.objects.filter(cycle=cycle, status__in=OFFERABLE_POST_STATUSES).values("pk")
    return Application.objects.filter(cycle=cycle, status__in=ALLOCATION_STATUSES, post__in=offerable).exclude(
        student_id__in=holding
    )


class _ApplicationsRead:
    """The taking-part applications, read once in id order, a chunk at a time.

    ``rows()`` yields them as the matching reads them (``RankedApplication``'s fields) and, as they
    pass, hashes each one's inputs (id, student, post, status, preference, ranking, submission
    time) into ``digest``, counts them, and keeps the id of each ranked one in
    ``application_ids``.
    """

    def __init__(self, applications: QuerySet[Application], digest: hashlib._Hash) -> None:
        self.queryset = applications.order_by("pk").values_list(
            "pk", "student_id", "post_id", "status", "preference_rank", "selection_rank", "submitted_at"
        )
        self.digest = digest
        self.count = 0
        self.application_ids: dict[tuple[int, int], int] = {}

    def rows(self) -> Iterator[RankedApplication]:
        for pk, student, post, status, preference, rank, submitted in self.queryset.iterator(chunk_size=READ_CHUNK):
            self.digest.update(f"{pk} {student} {post} {status} {preference} {rank} {submitted.isoformat()}\n".encode())
            self.count += 1
            if rank is not None:
                self.application_ids[student, post] = pk
            yield RankedApplication(student, post, preference, rank, submitted)


@transaction.atomic
def allocation_inputs_read(*, cycle: Cycle, with_instance: bool = True) -> AllocationInputs:
    """The cycle's matching instance: the posts with their places taken (one query), the
    taking-part applications (one ordered read, a chunk at a time) and the fingerprint.

    The fingerprint is the SHA-256 of every post's free places and of every taking-part
    application's inputs, in id order: a change to any of them changes it. A confirmation
    only needs the fingerprint (``with_instance=False``): the applications are then read and
    hashed, and no instance is built. In a transaction of its own (a savepoint inside a
    caller's), so that the read's cursor lives within one.
    """
    posts = {
        pk: (unit_id, headcount, max(headcount - taken, 0))
        for pk, unit_id, headcount, taken in Post.objects.filter(cycle=cycle, status__in=OFFERABLE_POST_STATUSES)
        .order_by("pk")
        .annotate(taken=Count("offers", filter=Q(offers__status__in=HOLDING_OFFER_STATUSES)))
        .values_list("pk", "unit_id", "headcount", "taken")
    }
    capacities = {pk: left for pk, (_unit, _headcount, left) in posts.items()}
    digest = hashlib.sha256()
    for pk, left in capacities.items():
        digest.update(f"post {pk} {left}\n".encode())
    read = _ApplicationsRead(_applications(cycle), digest)
    instance = None
    if with_instance:
        try:
            instance = instance_from_applications(read.rows(), capacities)
        except MatchingInputError as exc:
            logger.warning("Allocation of cycle %s: %s", cycle.pk, exc)
            raise AllocationError(
                _("The applications of this cycle cannot be allocated: a student applied twice to the same post."),
                code="bad_input",
            ) from exc
    else:
        for _row in read.rows():
            pass
    return AllocationInputs(
        instance=instance,
        applications=read.count,
        application_ids=read.application_ids,
        posts=posts,
        fingerprint=digest.hexdigest(),
    )


def _pairs(inputs: AllocationInputs, result: MatchResult) -> list[list[int]]:
    """[application, student, post] of every match, by student."""
    return [[inputs.application_of(student, post), student, post] for student, post in result.assignment.items()]


def _units_summary(inputs: AllocationInputs, result: MatchResult) -> list[dict[str, Any]]:
    names = dict(
        HostUnit.objects.filter(pk__in={unit for unit, _h, _l in inputs.posts.values()}).values_list("pk", "name")
    )
    per_unit: dict[int, dict[str, Any]] = defaultdict(lambda: {"posts": 0, "places": 0, "matched": 0})
    for unit, _headcount, left in inputs.posts.values():
        row = per_unit[unit]
        row["posts"] += 1
        row["places"] += left
    for post in result.assignment.values():
        per_unit[inputs.posts[post][0]]["matched"] += 1
    return sorted(
        (
            {"unit": unit, "name": names.get(unit, ""), **row, "empty": row["places"] - row["matched"]}
            for unit, row in per_unit.items()
        ),
        key=lambda row: (row["name"], row["unit"]),
    )


def _check_cycle(cycle: Cycle) -> None:
    if cycle.status in SELECTION_OVER:
        raise AllocationError(_("The selection of this cycle has closed."), code="selection_closed")


def allocation_preview(*, cycle: Cycle, actor: User | None, context: JobContext | None = None) -> AllocationRound:
    """Compute the cycle's stable allocation and keep it as a PREVIEWED round (no offer yet).

    Earlier rounds of the cycle still waiting for confirmation are superseded.
    """
    authorize("selection.allocate", actor, cycle, error=AllocationError)
    _check_cycle(cycle)
    started = time.perf_counter()
    if context is not None:
        context.set_total(2)
    inputs = allocation_inputs_read(cycle=cycle)
    result = deferred_acceptance(inputs.matching_instance())
    if context is not None:
        context.advance()
    with transaction.atomic():
        allocation = _round_record(cycle=cycle, inputs=inputs, result=result, actor=actor, started=started)
    if context is not None:
        context.advance()
    logger.info(
        "Allocation preview %s of cycle %s: %s students, %s matched",
        allocation.pk,
        cycle.pk,
        allocation.students,
        allocation.matched,
    )
    return allocation


def _round_record(
    *, cycle: Cycle, inputs: AllocationInputs, result: MatchResult, actor: User | None, started: float
) -> AllocationRound:
    """Keep a computed allocation as the cycle's PREVIEWED round; the earlier ones waiting for
    confirmation are superseded. Inside the caller's transaction."""
    ALLOCATION_MACHINE.move_many(
        AllocationRound.objects.filter(cycle=cycle, status=AllocationStatus.PREVIEWED),
        AllocationStatus.SUPERSEDED,
        actor=actor,
        reason=_("A newer preview was run."),
    )
    return AllocationRound.objects.create(
        cycle=cycle,
        fingerprint=inputs.fingerprint,
        created_by=actor if getattr(actor, "pk", None) else None,
        students=len(inputs.matching_instance().preferences),
        posts=len(inputs.posts),
        places=sum(left for _u, _h, left in inputs.posts.values()),
        matched=len(result.assignment),
        seconds=time.perf_counter() - started,
        units=_units_summary(inputs, result),
        pairs=_pairs(inputs, result),
        unplaced=result.unplaced,
        empty_places={str(post): n for post, n in result.empty_places.items()},
    )


def _offer_deadline(cycle: Cycle, at: dt.datetime) -> dt.datetime | None:
    """As ``offers._offer_deadline``: none while the results are held."""
    if cycle.results_are_held(at):
        return None
    return at + dt.timedelta(hours=cycle.offer_valid_hours)


@transaction.atomic
def allocation_confirm(
    *, allocation: AllocationRound, actor: User | None, at: datetime | None = None, context: JobContext | None = None
) -> AllocationRound:
    """Make the offers of a previewed round, all in one transaction, once.

    Locks are taken in the house order: the round, the cycle's posts, then the students to be
    offered a place. The fingerprint is taken again under the posts' locks; one different from
    the preview's is refused (``inputs_changed``): run the preview again. The offers are then
    made by ``_offers_make``, as ``allocation_run`` makes them. The students' ``offer_made``
    messages are queued by a worker once this commits (``allocation_offer_messages_queue``):
    the round, CONFIRMED with ``messages_queued_at`` empty, is their durable promise, and the
    transaction that writes sixty thousand offers does not also write twice as many messages.
    """
    authorize("selection.allocate", actor, allocation, error=AllocationError)
    at = at or timezone.now()
    locked = AllocationRound.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=allocation.pk)
    if locked.status == AllocationStatus.CONFIRMED:
        raise AllocationError(
            _("This allocation has already been confirmed: its offers were made."), code="already_confirmed"
        )
    if locked.status != AllocationStatus.PREVIEWED:
        raise AllocationError(
            _("A newer preview of this cycle replaced this one: confirm the newest preview."), code="superseded"
        )
    cycle = Cycle.objects.get(pk=locked.cycle_id)
    _check_cycle(cycle)
    if context is not None:
        context.set_total(3)
    _posts_lock(cycle)
    inputs = allocation_inputs_read(cycle=cycle, with_instance=False)
    if inputs.fingerprint != locked.fingerprint:
        raise _inputs_changed()
    if context is not None:
        context.advance()
    return _offers_make(locked, cycle=cycle, actor=actor, at=at, context=context)


def _inputs_changed() -> AllocationError:
    return AllocationError(
        _(
            "Rankings, preferences or free places have changed since this preview was run. "
            "Run the preview again, check it, then confirm the new one."
        ),
        code="inputs_changed",
    )


def _changed_while_running() -> AllocationError:
    return AllocationError(
        _(
            "An application of this cycle was withdrawn or decided while the allocation ran: "
            "no offer was made. Run the allocation again."
        ),
        code="inputs_changed",
    )


def _posts_lock(cycle: Cycle) -> None:
    """Lock the cycle's offerable posts, in id order: no offer of the cycle, ranking or change
    of headcount can then be made until the caller's transaction ends."""
    list(
        Post.objects.select_for_update(of=("self",))
        .filter(cycle=cycle, status__in=OFFERABLE_POST_STATUSES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _offers_make(
    locked: AllocationRound,
    *,
    cycle: Cycle,
    actor: User | None,
    at: dt.datetime,
    changed: Callable[[], AllocationError] = _inputs_changed,
    context: JobContext | None = None,
) -> AllocationRound:
    """Make the offers of the PREVIEWED round ``locked`` and mark it CONFIRMED; the caller's
    transaction holds the round and the cycle's posts.

    The students to be offered a place are locked last (holding the cycle's posts already
    keeps any other offer of the cycle from being made). Each matched application moves to
    OFFERED (held for the announcement like ``offer_make``'s) and gets its offer; a queued
    "not selected" of its student is cancelled; the messages are handed to a worker at the
    commit.
    """
    pairs = locked.pairs
    students: dict[int, int] = {}
    for batch in id_batches(student for _app, student, _post in pairs):
        students.update(
            StudentProfile.objects.select_for_update(of=("self",))
            .filter(pk__in=batch)
            .order_by("pk")
            .values_list("pk", "user_id")
        )
    held = cycle.results_are_held(at)
    reason = _("Allocated in the district-wide allocation round.")
    moved = APPLICATION_MACHINE.move_ids(
        {app for app, _s, _p in pairs},
        S.OFFERED,
        actor=actor,
        reason=reason,
        at=at,
        fields={} if held else {"published_status": S.OFFERED},
        visible_at=cycle.announcement_at if held else at,
    )
    if moved != len(pairs):  # an application was withdrawn or decided meanwhile: offer none
        raise changed()
    made_by = actor if getattr(actor, "pk", None) else None
    expires_at = _offer_deadline(cycle, at)
    Offer.objects.bulk_create(
        (
            Offer(
                application_id=app,
                post_id=post,
                student_id=student,
                cycle=cycle,
                made_by=made_by,
                made_at=at,
                expires_at=expires_at,
            )
            for app, student, post in pairs
        ),
        batch_size=BATCH,
    )
    if context is not None:
        context.advance()
    _superseded_messages_cancel(cycle=cycle, pairs=pairs, students=students)
    transaction.on_commit(partial(_offer_messages_publish, locked.pk), robust=True)
    locked = ALLOCATION_MACHINE.move(
        locked,
        AllocationStatus.CONFIRMED,
        actor=actor,
        at=at,
        locked=True,
        fields={"confirmed_by": made_by, "confirmed_at": at, "offers_made": len(pairs)},
    )
    if context is not None:
        context.advance()
    logger.info("Allocation %s of cycle %s confirmed: %s offers", locked.pk, cycle.pk, len(pairs))
    return locked


def allocation_run(*, cycle: Cycle, actor: User | None, at: datetime | None = None) -> AllocationRound:
    """Compute the cycle's allocation and make its offers in one transaction
    (``manage.py allocate`` without ``--dry-run``): a preview and its confirmation in one pass.

    The locks come first, in the house order: the cycle's rounds waiting for confirmation, its
    posts; the inputs are then read under them, so no fingerprint needs comparing, and the
    round is recorded (superseding those previews) and confirmed at once, with the same
    offers, audit and messages as ``allocation_confirm``. An application withdrawn or
    decided while this runs (its row is not locked before the write) makes it refuse as a
    stale preview would: nothing is offered and the command can be run again.
    """
    authorize("selection.allocate", actor, cycle, error=AllocationError)
    _check_cycle(cycle)
    at = at or timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        list(
            AllocationRound.objects.select_for_update()
            .filter(cycle=cycle, status=AllocationStatus.PREVIEWED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        cycle = Cycle.objects.get(pk=cycle.pk)
        _check_cycle(cycle)
        _posts_lock(cycle)
        inputs = allocation_inputs_read(cycle=cycle)
        result = deferred_acceptance(inputs.matching_instance())
        allocation = _round_record(cycle=cycle, inputs=inputs, result=result, actor=actor, started=started)
        return _offers_make(allocation, cycle=cycle, actor=actor, at=at, changed=_changed_while_running)


def _superseded_messages_cancel(*, cycle: Cycle, pairs: list[list[int]], students: dict[int, int]) -> None:
    """In the confirmation's transaction: a queued "not selected" of a student now offered a
    place, or a queued decision message of an application now offered, must not go out. Both
    are the students' own messages: one read of what is queued for them finds them."""
    notification_cancel_under(
        recipient_ids=students.values(),
        keys=[not_selected_key(cycle_id=cycle.pk, student_id=student) for _a, student, _p in pairs],
        prefixes=[decision_key_prefix(app) for app, _s, _p in pairs],
    )


def _offer_messages_publish(allocation_id: int) -> None:
    """After the confirmation commits: hand its messages to a worker (inline without a broker).
    A lost broker message is made up for by the ``frequent`` hook (``notification_hooks``)."""
    from placements.selection.tasks import allocation_offer_messages

    try:
        allocation_offer_messages.delay(allocation_id)
    except Exception:  # the broker is down: the hook queues them within its interval
        logger.exception("Allocation %s: its offer messages could not be handed to a worker", allocation_id)


@transaction.atomic
def allocation_offer_messages_queue(*, allocation_id: int) -> int:
    """Queue the ``offer_made`` message of every offer a confirmed round made, once; returns
    how many students were told (0 when the round's messages are already queued).

    The confirmation commits the offers and the round's CONFIRMED status together, with
    ``messages_queued_at`` empty: that row is the durable promise of these messages, kept by
    this function whether it runs from the task published at the commit or from the hook
    that finds the round still waiting. The round's lock makes two runs queue once. An offer
    that is no longer open (answered or withdrawn in the meantime) gets no message: the
    student has seen it, or it is gone.
    """
    allocation = AllocationRound.objects.select_for_update(of=("self",)).filter(pk=allocation_id).first()
    if allocation is None or allocation.status != AllocationStatus.CONFIRMED or allocation.messages_queued_at:
        return 0
    confirmed_at = allocation.confirmed_at
    if confirmed_at is None:  # a confirmed round has its time; nothing to tell without it
        return 0
    cycle = Cycle.objects.get(pk=allocation.cycle_id)
    made = {app for app, _s, _p in allocation.pairs}
    offers = [
        offer
        for offer in Offer.objects.filter(cycle_id=cycle.pk, made_at=confirmed_at, status=OfferStatus.OPEN)
        .order_by("pk")
        .values_list("pk", "application_id", "post_id", "expires_at", "student__legal_name", "student__user_id")
        if offer[1] in made  # the round's own, not another offer made at the same moment
    ]
    terms = {value: str(label) for value, label in TermType.choices}
    post_context = {
        pk: {
            "post_title": title,
            "unit_name": unit_name,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "term": terms.get(term, term),
        }
        for pk, title, unit_name, starts_on, ends_on, term in Post.objects.filter(cycle=cycle).values_list(
            "pk", "title", "unit__name", "starts_on", "ends_on", "term"
        )
    }
    held_until = release_time(cycle, confirmed_at) or confirmed_at
    valid = dt.timedelta(hours=cycle.offer_valid_hours)
    messages = [
        QueuedMessage(
            recipient_id=user_id,
            context={
                "student_name": legal_name,
                **post_context[post_id],
                "url": "/my/selection/",
                "respond_by_at": (expires_at or (held_until + valid)).isoformat(),
            },
            event_key=f"{decision_key_prefix(application_id)}offer:{pk}",
        )
        for pk, application_id, post_id, expires_at, legal_name, user_id in offers
    ]
    told = len(set(notification_queue_many(kind="offer_made", messages=messages, send_after=held_until)))
    AllocationRound.objects.filter(pk=allocation.pk).update(messages_queued_at=timezone.now())
    logger.info("Allocation %s of cycle %s: offer messages queued for %s students", allocation.pk, cycle.pk, told)
    return told


def allocation_offer_messages_pending(*, older_than: dt.timedelta = dt.timedelta(minutes=5)) -> list[int]:
    """Confirmed rounds whose messages are still to be queued, confirmed more than
    ``older_than`` ago (the task published at the commit is given that long)."""
    return list(
        AllocationRound.objects.filter(
            status=AllocationStatus.CONFIRMED,
            messages_queued_at__isnull=True,
            confirmed_at__lt=timezone.now() - older_than,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- background jobs --------------------------------------------------------------------------


@transaction.atomic
def allocation_preview_start(*, cycle: Cycle, actor: User | None) -> Job:
    """Start the preview job of ``cycle`` (inline without a broker)."""
    authorize("selection.allocate", actor, cycle, error=AllocationError)
    _check_cycle(cycle)
    return job_start(kind=PREVIEW_JOB, params={"cycle_id": cycle.pk}, actor=actor)


@transaction.atomic
def allocation_confirm_start(*, allocation: AllocationRound, actor: User | None) -> Job:
    """Start the job confirming ``allocation``; a round already confirmed is refused at once."""
    authorize("selection.allocate", actor, allocation, error=AllocationError)
    if allocation.status == AllocationStatus.CONFIRMED:
        raise AllocationError(
            _("This allocation has already been confirmed: its offers were made."), code="already_confirmed"
        )
    if allocation.status != AllocationStatus.PREVIEWED:
        raise AllocationError(
            _("A newer preview of this cycle replaced this one: confirm the newest preview."), code="superseded"
        )
    return job_start(kind=CONFIRM_JOB, params={"cycle_id": allocation.cycle_id, "round_id": allocation.pk}, actor=actor)


def allocation_preview_job(context: JobContext) -> dict[str, Any]:
    """Handler of ``PREVIEW_JOB`` (registered in ``placements.apps``)."""
    cycle = Cycle.objects.get(pk=context.params["cycle_id"])
    allocation = allocation_preview(cycle=cycle, actor=context.actor, context=context)
    return {"round_id": allocation.pk, "students": allocation.students, "matched": allocation.matched}


def allocation_confirm_job(context: JobContext) -> dict[str, Any]:
    """Handler of ``CONFIRM_JOB`` (registered in ``placements.apps``)."""
    allocation = AllocationRound.objects.get(pk=context.params["round_id"])
    done = allocation_confirm(allocation=allocation, actor=context.actor, context=context)
    return {"round_id": done.pk, "offers_made": done.offers_made}
