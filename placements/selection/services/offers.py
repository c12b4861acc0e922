"""Offers within the headcount, backup lists, acceptance and the placement."""

import datetime as dt
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from applicants.models import Application, StudentProfile
from applicants.services import APPLICATION_MACHINE, application_transition
from jinseed.accounts.models import User
from jinseed.authz import authorize
from jinseed.errors import DomainError
from jinseed.notifications.services import notification_cancel_under
from placements.models import Offer, Placement
from placements.selection.enums import (
    HOLDING_OFFER_STATUSES,
    OfferStatus,
)
from positions.enums import PostStatus
from positions.models import Cycle, Post

from .core import LIVE_INTERVIEW, OFFER_MACHINE, SELECTION_OVER, CapacityError, S, SelectionError
from .interviews import interview_call_off
from .notify import (
    application_context,
    cancel_queued,
    decision_key_prefix,
    not_selected_key,
    notify,
    release_time,
    unit_coordinator_users,
)

logger = logging.getLogger(__name__)

BACKUP_STATUSES = frozenset({S.INTERVIEWED, S.NOT_SELECTED})


def post_free_places(*, post: Post) -> int:
    taken = Offer.objects.filter(post_id=post.pk, status__in=HOLDING_OFFER_STATUSES).count()
    return post.headcount - taken


def _offer_deadline(cycle: Cycle, at: dt.datetime) -> dt.datetime | None:
    """The deadline of an offer made at ``at``; none yet while results are held."""
    if cycle.results_are_held(at):
        return None
    return at + dt.timedelta(hours=cycle.offer_valid_hours)


def _offer_create_locked(
    *, locked_post: Post, application: Application, actor: User | None, from_backup: bool, at: datetime
) -> Offer:
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
    held_until = release_time(cycle, at)
    respond_by = offer.expires_at
    if respond_by is None:  # held: the answer is due from the announcement on
        respond_by = cast(dt.datetime, held_until) + dt.timedelta(hours=cycle.offer_valid_hours)
    context = {**application_context(app), "respond_by_at": respond_by.isoformat()}
    if not from_backup:
        context |= {
            "starts_on": locked_post.starts_on.isoformat(),
            "ends_on": locked_post.ends_on.isoformat(),
            "term": str(locked_post.get_term_display()),
        }
    student = app.student.user
    # A "not selected" still queued for this student (a reopened selection) is no longer true.
    cancel_queued(recipient=student, prefix=not_selected_key(cycle_id=cycle.pk, student_id=app.student_id))
    notify(
        recipient=student,
        kind="offer_from_backup" if from_backup else "offer_made",
        context=context,
        event_key=f"{decision_key_prefix(app.pk)}offer:{offer.pk}",
        replaces=decision_key_prefix(app.pk),
        send_after=held_until,
    )
    return offer


@transaction.atomic
def offer_make(*, application: Application, actor: User | None, at: datetime | None = None) -> Offer:
    """Offer ``application`` a place on its post, if the post has one free.

    The post row is locked first, so of many offers arriving at once exactly the free places
    succeed and the others get a ``CapacityError``.
    """
    authorize("selection.decide_for_unit", actor, application, error=SelectionError)
    at = at or timezone.now()
    locked_post = Post.objects.select_for_update().select_related("cycle").get(pk=application.post_id)
    if locked_post.status not in {PostStatus.PUBLISHED, PostStatus.CLOSED}:
        raise SelectionError(_("Offers are made only on published posts."), code="post_not_published")
    if locked_post.cycle.status in SELECTION_OVER:
        raise SelectionError(_("The selection of this cycle has closed."), code="selection_closed")
    return _offer_create_locked(locked_post=locked_post, application=application, actor=actor, from_backup=False, at=at)


def _backup_candidates(post: Post) -> QuerySet[Application]:
    placed = Offer.objects.filter(cycle_id=post.cycle_id, status=OfferStatus.ACCEPTED).values("student_id")
    return (
        Application.objects.filter(post=post, status__in=BACKUP_STATUSES, selection_rank__isnull=False)
        .exclude(offers__isnull=False)
        .exclude(student_id__in=placed)
        .order_by("selection_rank", "submitted_at", "pk")
    )


@transaction.atomic
def offer_pass_to_backup(*, post: Post, actor: User | None = None, at: datetime | None = None) -> list[Offer]:
    """Fill the post's free places from its ranked backup list, best rank first."""
    at = at or timezone.now()
    locked_post = Post.objects.select_for_update().select_related("cycle").get(pk=post.pk)
    if locked_post.cycle.status in SELECTION_OVER:
        return []  # a place freed after the selection closed stays free
    made: list[Offer] = []
    skipped: list[int] = []
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


def _offer_lock_for_answer(*, offer: Offer, actor: User | None, at: datetime) -> Offer:
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


def offer_accept(*, offer: Offer, actor: User | None, at: datetime | None = None) -> Placement:
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
        notify(
            recipient=app.student.user,
            kind="offer_accepted_onboarding",
            context=_onboarding_context(app=app, placement=placement),
            event_key=f"{decision_key_prefix(app.pk)}accepted",
            replaces=decision_key_prefix(app.pk),
        )
    for released_post in released_posts:
        offer_pass_to_backup(post=released_post, at=at)
    return placement


def _onboarding_context(*, app: Application, placement: Placement) -> dict[str, Any]:
    """What the student needs on the first day. The unit's contact person receives them; the
    mentor is named too when one has already been assigned (usually later, by the unit)."""
    post, unit = placement.post, placement.post.unit
    report_at = timezone.make_aware(dt.datetime.combine(placement.starts_on, dt.time(8, 30)))
    context = {
        **application_context(app),
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


def _release_other_offers(*, offer: Offer, actor: User | None, at: datetime) -> list[Post]:
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
        cancel_queued(recipient=offer.student.user_id, prefix=decision_key_prefix(other.application_id))
        application_transition(
            application=other.application,
            to_status=S.DECLINED,
            actor=actor,
            at=at,
            reason=_("Accepted a place on another post."),
        )
        for user in unit_coordinator_users(other.post.unit):
            notify(
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


def _withdraw_other_applications(*, offer: Offer, actor: User | None, at: datetime) -> None:
    """A placed student leaves the other posts' lists, so units do not interview them in vain."""
    others = Application.objects.filter(
        student_id=offer.student_id, cycle_id=offer.cycle_id, status__in={S.SUBMITTED, S.SHORTLISTED, S.INTERVIEWED}
    ).exclude(pk=offer.application_id)
    for app in others:
        for interview in app.interviews.filter(status=LIVE_INTERVIEW):
            interview_call_off(interview=interview, reason=_("The student accepted a place on another post."))
        application_transition(
            application=app, to_status=S.WITHDRAWN, actor=actor, at=at, reason=_("Accepted a place on another post.")
        )


def offer_decline(*, offer: Offer, actor: User | None, at: datetime | None = None) -> Offer:
    """The student turns the offer down; the place passes to the post's next backup."""
    at = at or timezone.now()
    with transaction.atomic():
        StudentProfile.objects.select_for_update().get(pk=offer.student_id)
        locked = _offer_lock_for_answer(offer=offer, actor=actor, at=at)
        OFFER_MACHINE.move(locked, OfferStatus.DECLINED, actor=actor, at=at, locked=True, fields={"responded_at": at})
        application_transition(application=locked.application, to_status=S.DECLINED, actor=actor, at=at)
        cancel_queued(recipient=locked.student.user_id, prefix=decision_key_prefix(locked.application_id))
    offer_pass_to_backup(post=locked.post, at=at)
    return locked


@transaction.atomic
def offer_start_held(*, at: datetime | None = None) -> int:
    """Start the deadline of offers whose cycle's announcement time has come.

    One UPDATE per cycle with held offers (a handful), whatever the number of offers.
    """
    at = at or timezone.now()
    waiting = Offer.objects.filter(status=OfferStatus.OPEN, expires_at__isnull=True)
    started = 0
    for cycle in Cycle.objects.filter(pk__in=waiting.values("cycle_id")):
        if cycle.results_are_held(at):
            continue
        valid = dt.timedelta(hours=cycle.offer_valid_hours)
        if cycle.announcement_at is not None:
            started += waiting.filter(cycle=cycle).update(expires_at=cycle.announcement_at + valid)
        else:
            started += waiting.filter(cycle=cycle).update(expires_at=F("made_at") + valid)
    return started


def offer_lapse(*, offer: Offer, at: datetime, reason: str, actor: User | None = None) -> None:
    """An open offer ends unanswered; the caller holds its lock. Unsent reminders of it go."""
    OFFER_MACHINE.move(offer, OfferStatus.EXPIRED, actor=actor, at=at, reason=reason, locked=True)
    application_transition(application=offer.application, to_status=S.DECLINED, actor=actor, at=at, reason=reason)
    cancel_queued(recipient=offer.student.user_id, prefix=decision_key_prefix(offer.application_id))


def offers_lapse_many(
    *, offers: QuerySet[Offer], at: datetime, reason: str, actor: User | None = None
) -> list[tuple[int, int, int]]:
    """``offer_lapse`` for a queryset of open offers, set-based (a fixed number of queries).

    The offers are locked, move to EXPIRED, their applications to DECLINED (a lapse is not
    held for the announcement), and their unsent decision messages are cancelled. Returns
    (offer, post, student) of each lapsed offer.
    """
    rows = list(
        offers.filter(status=OfferStatus.OPEN)
        .select_for_update(of=("self",))
        .values_list("pk", "application_id", "post_id", "student_id", "student__user_id")
    )
    if not rows:
        return []
    OFFER_MACHINE.move_ids([r[0] for r in rows], OfferStatus.EXPIRED, actor=actor, reason=reason, at=at)
    APPLICATION_MACHINE.move_ids(
        [r[1] for r in rows],
        S.DECLINED,
        actor=actor,
        reason=reason,
        at=at,
        fields={"published_status": S.DECLINED},
    )
    notification_cancel_under(prefixes=[decision_key_prefix(r[1]) for r in rows], recipient_ids=[r[4] for r in rows])
    return [(pk, post, student) for pk, _app, post, student, _user in rows]


def _posts_to_pass_on(post_ids: Iterable[int] | None = None) -> QuerySet[Post]:
    """Posts with a free place and someone on their backup list, in one query.

    Without ``post_ids``: every published or closed post of a cycle whose selection is still
    running that ever had a place freed (an offer declined, lapsed or released).
    """
    placed = Offer.objects.filter(cycle_id=OuterRef("cycle_id"), status=OfferStatus.ACCEPTED).values("student_id")
    backups = (
        Application.objects.filter(
            post_id=OuterRef("pk"), status__in=BACKUP_STATUSES, selection_rank__isnull=False, offers__isnull=True
        )
        .exclude(student_id__in=placed)
        .values("pk")
    )
    posts = Post.objects.filter(status__in={PostStatus.PUBLISHED, PostStatus.CLOSED}).exclude(
        cycle__status__in=SELECTION_OVER
    )
    freed = Q(
        pk__in=Offer.objects.filter(
            status__in={OfferStatus.DECLINED, OfferStatus.EXPIRED, OfferStatus.RELEASED}
        ).values("post_id")
    )
    if post_ids is not None:
        freed |= Q(pk__in=list(post_ids))
    return (
        posts.filter(freed)
        .annotate(taken=Count("offers", filter=Q(offers__status__in=HOLDING_OFFER_STATUSES)))
        .filter(headcount__gt=F("taken"))
        .filter(Exists(backups))
        .order_by("pk")
    )


def offer_expire_due(*, at: datetime | None = None) -> int:
    """Lapse every open offer past its deadline and pass each place on. Safe to run again.

    Set-based: the due offers lapse in one transaction with a fixed number of queries, and
    one query finds the posts that have both a free place and a backup (a place freed earlier
    but not passed on, after a crash between the steps, is found too). Only those posts are
    passed on, each backup offer being a decision of its own (locks, message).
    """
    at = at or timezone.now()
    offer_start_held(at=at)
    with transaction.atomic():
        lapsed = offers_lapse_many(
            offers=Offer.objects.filter(status=OfferStatus.OPEN, expires_at__lte=at),
            at=at,
            reason=_("The offer lapsed unanswered."),
        )
    for post in _posts_to_pass_on({post for _pk, post, _student in lapsed}):
        offer_pass_to_backup(post=post, at=at)
    return len(lapsed)
