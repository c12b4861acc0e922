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
and are set-based: the applications read grouped and sorted by PostgreSQL (streamed as plain
tuples elsewhere), one read of the posts, the matching in memory with the cycle collector
paused (on PostgreSQL it runs as the preferences arrive, ``DeferredAcceptance``),
``bulk_insert`` for the offers and ``APPLICATION_MACHINE.move_ids`` for the applications — a
fixed number of queries at any scale. The students' messages follow the commit
(``allocation_offer_messages_queue``, ``notification_queue_many``): a confirmed round whose
``messages_queued_at`` is empty still owes them, and the ``frequent`` notification hook pays
what a lost task did not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import time
from array import array
from collections import defaultdict, deque
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from itertools import chain

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connections, transaction
from django.db.models import BigIntegerField, Count, Func, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import Application, StudentProfile
from applicants.services import APPLICATION_MACHINE
from jinseed.authz import authorize
from jinseed.bulk import bulk_insert, collection_paused, fetch_row_chunks
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
    DeferredAcceptance,
    MatchingInputError,
    MatchingInstance,
    MatchResult,
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

    instance: MatchingInstance | None
    #: How many applications take part (read, or counted by the database).
    applications: int
    #: student id -> the ids of their applications to the posts that rank them, in the order
    #: of the student's preferences in ``instance`` (empty when only the fingerprint was read)
    application_ids: dict[int, Sequence[int]]
    #: post id -> (unit id, headcount, places left)
    posts: dict[int, tuple[int, int, int]]
    fingerprint: str
    #: the matching's result, when it was asked for with the read
    result: MatchResult | None = None
    #: "read" (with the matching, when asked for), "fingerprint", "match" (within "read")
    seconds: dict[str, float] = field(default_factory=dict)

    def application_of(self, student: int, post: int) -> int:
        """The id of ``student``'s application to ``post``."""
        return self.application_ids[student][self.instance.preferences[student].index(post)]


class _Microseconds(Func):
    """A datetime as integer microseconds since 1970: the submission order, read as an int
    because parsing a million timestamps costs more than the whole matching."""

    output_field = BigIntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        # date_part's double, not EXTRACT's numeric (a third of the digest's time at 10^6 rows):
        # at today's epoch a double is exact to a tenth of a microsecond, so the rounding cast
        # gives the whole microseconds.
        return self.as_sql(
            compiler, connection, template="(date_part('epoch', %(expressions)s) * 1000000)::bigint", **extra
        )

    def as_sqlite(self, compiler, connection, **extra):
        # Stored as text "YYYY-MM-DD HH:MM:SS[.ffffff]": whole seconds, then the fraction.
        template = (
            "(CAST(strftime('%%s', %(expressions)s) AS INTEGER) * 1000000"
            " + CAST(substr(%(expressions)s, 21, 6) AS INTEGER))"
        )
        return self.as_sql(compiler, connection, template=template, **extra)


def _applications(cycle: Cycle, posts: Collection[int]):
    """The applications that take part: allocatable, to one of ``posts`` (the offerable posts,
    as read with their places), of a student who holds no open or accepted offer in the cycle
    (their place is settled or being answered).

    The posts go in as their ids, not as a subquery: the applications read are then those of
    the posts the places were read for, and PostgreSQL matches a million of them against one
    hashed array instead of joining each to its post. SQLite takes one parameter per id and a
    statement holds at most 32,766: a subquery of the same posts there.
    """
    holding = Offer.objects.filter(cycle=cycle, status__in=HOLDING_OFFER_STATUSES).values("student_id")
    applications = Application.objects.filter(cycle=cycle, status__in=ALLOCATION_STATUSES)
    if connections[applications.db].vendor == "postgresql":
        applications = applications.filter(post_id__any=set(posts))
    else:
        offerable = Post.objects.filter(cycle=cycle, status__in=OFFERABLE_POST_STATUSES).order_by().values("pk")
        applications = applications.filter(post_id__in=Subquery(offerable))
    return applications.exclude(student_id__in=holding).order_by()


class _RowDigest(Func):
    """PostgreSQL: a 64-bit hash of one application's inputs to the matching (id, student,
    post, preference, ranking or -1, submission time), for ``_fingerprint``: each value hashed
    with the hash of the ones before as its seed (``hashint8extended``), no text built."""

    output_field = BigIntegerField()

    def as_sql(self, compiler, connection, **extra):
        raise NotImplementedError("_RowDigest is computed by PostgreSQL only")

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = "0", []
        for expression in self.get_source_expressions():
            value_sql, value_params = compiler.compile(expression)
            sql = f"hashint8extended(({value_sql})::bigint, {sql})"
            params = [*value_params, *params]
        return sql, params


#: What ``_RowDigest`` hashes, in this order.
_DIGESTED = (
    "pk",
    "student_id",
    "post_id",
    "preference_rank",
    Coalesce("selection_rank", Value(-1)),
    _Microseconds("submitted_at"),
)


class _ApplicationStream:
    """SQLite: the taking-part applications read in chunks (``fetchmany``), in id order.
    ``rows()`` yields the matching's 5-tuples and keeps, as they pass, (student, post, id) of
    each in ``keys`` and the values the fingerprint hashes in ``flat``, both flat arrays."""

    CHUNK = 20_000

    def __init__(self, applications) -> None:
        self.queryset = (
            applications.order_by("pk")
            .annotate(submitted=_Microseconds("submitted_at"))
            .values_list("student_id", "post_id", "preference_rank", "selection_rank", "submitted", "pk")
        )
        self.keys = array("q")
        self.flat = array("q")
        self.count = 0

    def rows(self) -> Iterator[tuple[int, int, int, int | None, int]]:
        keys, flat = self.keys, self.flat
        for chunk in fetch_row_chunks(self.queryset, size=self.CHUNK):
            self.count += len(chunk)
            for student, post, preference, rank, submitted, pk in chunk:
                keys.extend((student, post, pk))
                flat.extend((pk, student, post, preference, -1 if rank is None else rank, submitted))
                yield student, post, preference, rank, submitted

    def application_ids(self, instance: MatchingInstance) -> dict[int, list[int]]:
        keys = self.keys
        pk_of = {(s, p): pk for s, p, pk in zip(keys[0::3], keys[1::3], keys[2::3], strict=True)}
        return {student: [pk_of[student, post] for post in listed] for student, listed in instance.preferences.items()}


def _fingerprint(capacities: dict[int, int], *, count: int, total: int | None = None, rows: array | None = None) -> str:
    """SHA-256 of what the matching reads: every taking-part application with its student,
    post, preference, ranking and submission time, and every post's free places.

    On PostgreSQL each application is one 64-bit hash computed by the database
    (``_RowDigest``); the fingerprint covers their ``count`` and their ``total``, which any
    changed value of any row changes. Elsewhere the values themselves (``rows``, as read in id
    order) are hashed here.
    """
    digest = hashlib.sha256()
    if rows is not None:
        digest.update(rows.tobytes())
    else:
        digest.update(f"pg:{count}:{int(total or 0)}".encode())
    digest.update(array("q", chain.from_iterable(sorted(capacities.items()))).tobytes())
    return digest.hexdigest()


#: Memory for the sorts of the PostgreSQL read (a million rows of a few ints): within it they
#: stay in memory instead of spilling to disk (the server's default is 4 MB; the rankings'
#: sort of 800k rows takes 80 MB).
_READ_WORK_MEM = "128MB"


#: What ``pg_export_snapshot()`` returns, e.g. ``00000003-0000001B-1``.
_SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+-[0-9]+")


def _read_settings(cursor, *, snapshot: str | None = None) -> None:
    """The read's transaction settings: its work memory and, on a second connection, the
    snapshot of the first (``pg_export_snapshot``)."""
    if snapshot is not None:
        if not _SNAPSHOT_ID.fullmatch(snapshot):
            raise ValueError(f"not a snapshot id: {snapshot!r}")
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")  # a statement: no parameters
    cursor.execute("SELECT set_config('work_mem', %s, true)", [_READ_WORK_MEM])


def _rankings_read(by_post, snapshot: str | None) -> dict[int, list[int]]:
    """The posts' rankings; given a ``snapshot``, on this thread's own connection inside it,
    closed afterwards."""
    if snapshot is None:
        return dict(chain.from_iterable(fetch_row_chunks(by_post)))
    connection = connections[by_post.db]  # this thread's: a connection of its own
    try:
        with transaction.atomic(using=by_post.db), connection.cursor() as cursor:
            _read_settings(cursor, snapshot=snapshot)
            return dict(chain.from_iterable(fetch_row_chunks(by_post)))
    finally:
        connection.close()


def _read_in_database(applications, capacities: dict[int, int], *, parallel: bool | None = None, match: bool = False):
    """PostgreSQL: the instance as the database sorts it, in two grouped queries inside one
    snapshot (REPEATABLE READ, unless the caller already holds a transaction):

    * per student, the posts that rank them in preference order with the applications' ids
      beside them, and the count and sum of the row hashes of all their applications;
    * per post, the ranked students in ranking order.

    The orders are the module's tie rules (``matching.student_preference_key`` and
    ``post_ranking_key``): a student's equal ranks by post id; a unit's by submission time,
    then student id. Python receives 110,000 arrays instead of a million rows.

    With ``parallel`` (by default, when this read is its own transaction) the rankings are
    read at the same time through a second connection in the first one's snapshot
    (``pg_export_snapshot``): the two queries take about as long as each other, and the
    database has a core for each. A caller inside a transaction that may have written rows
    not yet committed must not ask for it: the second connection would not see them (a
    caller that only locked rows may).

    With ``match`` the matching runs during the read: once the rankings are in (read first
    when not in parallel), the students streamed so far are matched, then each chunk as it
    arrives, while the database sorts the next (``DeferredAcceptance``; the outcome does not
    depend on the order the students come in).
    Returns (instance, application ids, count, total of the row hashes, result or None,
    seconds spent matching).
    """
    preference_order = ("preference_rank", "post_id")
    ranked = Q(selection_rank__isnull=False)  # the posts that rank the student, as instance_from_applications
    by_student = (
        applications.order_by("student_id")
        .values("student_id")
        .annotate(
            posts=ArrayAgg("post_id", order_by=preference_order, filter=ranked, default=Value([])),
            ids=ArrayAgg("pk", order_by=preference_order, filter=ranked, default=Value([])),
            count=Count("pk"),
            digest=Sum(_RowDigest(*_DIGESTED)),
        )
        .values_list("student_id", "posts", "ids", "count", "digest")
    )
    by_post = (
        applications.filter(selection_rank__isnull=False)
        .order_by("post_id")
        .values("post_id")
        .annotate(ranked=ArrayAgg("student_id", order_by=("selection_rank", "submitted_at", "student_id")))
        .values_list("post_id", "ranked")
    )
    connection = connections[applications.db]
    own_transaction = not connection.in_atomic_block
    parallel = own_transaction if parallel is None else parallel
    preferences, application_ids, count, total = {}, {}, 0, 0
    # No savepoint inside a caller's transaction: a snapshot is exported from the top level only.
    with transaction.atomic(using=applications.db, savepoint=False), ThreadPoolExecutor(max_workers=1) as side:
        with connection.cursor() as cursor:
            if own_transaction:  # both queries see the same applications
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            _read_settings(cursor)
            snapshot = None
            if parallel:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
        # Serially the rankings come first, so that a matching can start with the preferences.
        rankings = side.submit(_rankings_read, by_post, snapshot) if parallel else _rankings_read(by_post, None)
        matching = _MatchingAsRead(capacities, rankings) if match else None
        for chunk in fetch_row_chunks(by_student, size=_STREAM_CHUNK, stream=match):
            for student, posts, ids, applied, digest in chunk:
                preferences[student] = posts
                application_ids[student] = ids
                count += applied
                total += digest
            if matching is not None:
                matching.add([(row[0], row[1]) for row in chunk])
        if parallel:
            rankings = rankings.result()
    instance = MatchingInstance(preferences=preferences, rankings=rankings, capacities=dict(capacities))
    if matching is None:
        return instance, application_ids, count, int(total), None, 0.0
    return instance, application_ids, count, int(total), matching.result(), matching.seconds


#: Students per chunk of the streamed preferences: each is matched while the next is sorted.
_STREAM_CHUNK = 1_000


class _MatchingAsRead:
    """The matching of ``_read_in_database``, fed the students chunk by chunk as they are read:
    held back until the rankings are in (``rankings``: the dict, or the future reading it),
    then matched at once."""

    def __init__(self, capacities: dict[int, int], rankings: dict[int, list[int]] | Future) -> None:
        self.capacities = capacities
        self.rankings = rankings
        self.matcher: DeferredAcceptance | None = None
        self.waiting: list[tuple[int, list[int]]] = []
        self.seconds = 0.0

    def add(self, students: list[tuple[int, list[int]]]) -> None:
        if self.matcher is None:
            if isinstance(self.rankings, Future):
                if not self.rankings.done():
                    self.waiting += students
                    return
                self.rankings = self.rankings.result()
            self.matcher = DeferredAcceptance(self.rankings, self.capacities)
            students, self.waiting = self.waiting + students, []
        started = time.perf_counter()
        self.matcher.add_many(students)
        self.seconds += time.perf_counter() - started

    def result(self) -> MatchResult:
        if self.matcher is None:  # every student came before the rankings: wait for them
            if isinstance(self.rankings, Future):
                self.rankings = self.rankings.result()
            self.add([])
        started = time.perf_counter()
        result = self.matcher.result()
        self.seconds += time.perf_counter() - started
        return result


def allocation_inputs_read(
    *, cycle: Cycle, with_instance: bool = True, parallel: bool | None = None, match: bool = False
) -> AllocationInputs:
    """The cycle's matching instance: the posts with their places taken (one query), the
    allocatable applications (two grouped queries on PostgreSQL, one streamed query elsewhere;
    no model instance, no converter) and the fingerprint. A confirmation only needs the
    fingerprint (``with_instance=False``): on PostgreSQL it then reads no application at all,
    only their count and the sum of their hashes. With ``match`` the result of the matching
    comes too, computed while PostgreSQL sends the preferences (after the read elsewhere)."""
    started = time.perf_counter()
    posts = {
        pk: (unit_id, headcount, max(headcount - taken, 0))
        for pk, unit_id, headcount, taken in Post.objects.filter(cycle=cycle, status__in=OFFERABLE_POST_STATUSES)
        .order_by()
        .annotate(taken=Count("offers", filter=Q(offers__status__in=HOLDING_OFFER_STATUSES)))
        .values_list("pk", "unit_id", "headcount", "taken")
    }
    capacities = {pk: left for pk, (_unit, _head, left) in posts.items()}
    applications = _applications(cycle, capacities)
    in_database = connections[applications.db].vendor == "postgresql"
    instance, application_ids, rows, total, result, matching = None, {}, None, None, None, 0.0
    try:
        if in_database and with_instance:
            instance, application_ids, count, total, result, matching = _read_in_database(
                applications, capacities, parallel=parallel, match=match
            )
        elif in_database:
            summary = applications.aggregate(count=Count("pk"), total=Sum(_RowDigest(*_DIGESTED)))
            count, total = summary["count"], summary["total"]
        else:
            stream = _ApplicationStream(applications)
            if with_instance:
                instance = instance_from_applications(stream.rows(), capacities)
                application_ids = stream.application_ids(instance)
            else:
                deque(stream.rows(), maxlen=0)  # only the fingerprint is wanted
            count, rows = stream.count, stream.flat
            if match and with_instance:
                matched = time.perf_counter()
                result = deferred_acceptance(instance)
                matching = time.perf_counter() - matched
    except MatchingInputError as exc:
        logger.warning("Allocation of cycle %s: %s", cycle.pk, exc)
        raise AllocationError(
            _("The applications of this cycle cannot be allocated: a student applied twice to the same post."),
            code="bad_input",
        ) from exc
    read = time.perf_counter()
    fingerprint = _fingerprint(capacities, count=count, total=total, rows=rows)
    return AllocationInputs(
        instance=instance,
        applications=count,
        application_ids=application_ids,
        posts=posts,
        fingerprint=fingerprint,
        result=result,
        seconds={"read": read - started, "fingerprint": time.perf_counter() - read, "match": matching},
    )


def _pairs(inputs: AllocationInputs, result: MatchResult) -> list[list[int]]:
    """[application, student, post] of every match, by student."""
    return sorted(
        ([inputs.application_of(student, post), student, post] for student, post in result.assignment.items()),
        key=lambda pair: pair[1],
    )


def _units_summary(inputs: AllocationInputs, result: MatchResult) -> list[dict]:
    names = dict(
        HostUnit.objects.filter(pk__in={unit for unit, _h, _l in inputs.posts.values()}).values_list("pk", "name")
    )
    per_unit: dict[int, dict] = defaultdict(lambda: {"posts": 0, "places": 0, "matched": 0})
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


@collection_paused()
def allocation_preview(*, cycle: Cycle, actor, context: JobContext | None = None) -> AllocationRound:
    """Compute the cycle's stable allocation and keep it as a PREVIEWED round (no offer yet).

    Earlier rounds of the cycle still waiting for confirmation are superseded.
    """
    authorize("selection.allocate", actor, cycle, error=AllocationError)
    _check_cycle(cycle)
    started = time.perf_counter()
    if context is not None:
        context.set_total(2)
    inputs = allocation_inputs_read(cycle=cycle, match=True)
    if context is not None:
        context.advance()
    with transaction.atomic():
        allocation = _round_record(cycle=cycle, inputs=inputs, result=inputs.result, actor=actor, started=started)
    if context is not None:
        context.advance()
    logger.info(
        "Allocation preview %s of cycle %s: %s students, %s matched (read and match %.2f s, of it matching %.2f s)",
        allocation.pk,
        cycle.pk,
        allocation.students,
        allocation.matched,
        inputs.seconds["read"] + inputs.seconds["fingerprint"],
        inputs.seconds["match"],
    )
    return allocation


def _round_record(
    *, cycle: Cycle, inputs: AllocationInputs, result: MatchResult, actor, started: float
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
        students=len(inputs.instance.preferences),
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


@collection_paused()
@transaction.atomic
def allocation_confirm(
    *, allocation: AllocationRound, actor, at=None, context: JobContext | None = None
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
    actor,
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
    students = dict(
        StudentProfile.objects.select_for_update(of=("self",))
        .filter(pk__any={student for _app, student, _post in pairs})
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
    bulk_insert(
        Offer,
        OFFER_COLUMNS,
        [
            (app, post, student, cycle.pk, OfferStatus.OPEN, False, getattr(made_by, "pk", None), at, expires_at)
            for app, student, post in pairs
        ],
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


@collection_paused()
def allocation_run(*, cycle: Cycle, actor, at=None) -> AllocationRound:
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
    # Only this transaction's locks precede the read: a second connection sees what it sees,
    # unless a caller's transaction around it may hold rows not yet committed.
    parallel = not transaction.get_connection().in_atomic_block
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
        inputs = allocation_inputs_read(cycle=cycle, parallel=parallel, match=True)
        allocation = _round_record(cycle=cycle, inputs=inputs, result=inputs.result, actor=actor, started=started)
        return _offers_make(allocation, cycle=cycle, actor=actor, at=at, changed=_changed_while_running)


OFFER_COLUMNS = [
    "application_id",
    "post_id",
    "student_id",
    "cycle_id",
    "status",
    "from_backup",
    "made_by_id",
    "made_at",
    "expires_at",
]


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


@collection_paused()
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
    cycle = Cycle.objects.get(pk=allocation.cycle_id)
    offers = list(
        Offer.objects.filter(
            cycle_id=cycle.pk,
            application_id__any={app for app, _s, _p in allocation.pairs},
            made_at=allocation.confirmed_at,
            status=OfferStatus.OPEN,
        )
        .order_by("pk")
        .values_list("pk", "application_id", "post_id", "expires_at", "student__legal_name", "student__user_id")
    )
    terms = {value: str(label) for value, label in TermType.choices}
    post_context = {
        pk: {
            "post_title": title,
            "unit_name": unit_name,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "term": terms.get(term, term),
        }
        for pk, title, unit_name, starts_on, ends_on, term in Post.objects.filter(
            pk__any={offer[2] for offer in offers}
        ).values_list("pk", "title", "unit__name", "starts_on", "ends_on", "term")
    }
    held_until = release_time(cycle, allocation.confirmed_at)
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
def allocation_preview_start(*, cycle: Cycle, actor):
    """Start the preview job of ``cycle`` (inline without a broker)."""
    authorize("selection.allocate", actor, cycle, error=AllocationError)
    _check_cycle(cycle)
    return job_start(kind=PREVIEW_JOB, params={"cycle_id": cycle.pk}, actor=actor)


@transaction.atomic
def allocation_confirm_start(*, allocation: AllocationRound, actor):
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


def allocation_preview_job(context: JobContext) -> dict:
    """Handler of ``PREVIEW_JOB`` (registered in ``placements.apps``)."""
    cycle = Cycle.objects.get(pk=context.params["cycle_id"])
    allocation = allocation_preview(cycle=cycle, actor=context.actor, context=context)
    return {"round_id": allocation.pk, "students": allocation.students, "matched": allocation.matched}


def allocation_confirm_job(context: JobContext) -> dict:
    """Handler of ``CONFIRM_JOB`` (registered in ``placements.apps``)."""
    allocation = AllocationRound.objects.get(pk=context.params["round_id"])
    done = allocation_confirm(allocation=allocation, actor=context.actor, context=context)
    return {"round_id": done.pk, "offers_made": done.offers_made}
