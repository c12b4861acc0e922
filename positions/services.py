"""Every write to cycles, units and posts."""

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jinseed.accounts.models import User
from jinseed.errors import DomainError
from jinseed.statemachine import Change, StatusMachine, status_change_audit

from .enums import CYCLE_TRANSITIONS, POST_TRANSITIONS, CycleStatus, PostStatus
from .models import Cycle, HostUnit, Post, PostTransition
from .signals import cycle_timeline_changed

logger = logging.getLogger(__name__)


class PostError(DomainError):
    pass


def _post_audit(changes: Sequence[Change]) -> None:
    PostTransition.objects.bulk_create(
        PostTransition(
            post_id=c.pk, from_status=c.from_status, to_status=c.to_status, actor=c.actor, reason=c.reason.strip()
        )
        for c in changes
    )


POST_MACHINE = StatusMachine(
    model=Post,
    transitions=POST_TRANSITIONS,
    labels=PostStatus,
    error=PostError,
    audit=_post_audit,
    message=_lazy("A post that is “%(from)s” cannot become “%(to)s”."),
)


@transaction.atomic
def post_transition(*, post: Post, to_status: str, actor: User | None = None, reason: str = "") -> Post:
    """The one place a post changes status (through ``POST_MACHINE``): a returned post keeps
    the reason for the unit, a published one the time it was first published."""
    locked = POST_MACHINE.lock(post)
    POST_MACHINE.check(locked.status, to_status)
    if to_status == PostStatus.RETURNED and not reason.strip():
        raise PostError(_("Say what the unit should change when returning a post."), code="reason_required")
    fields: dict[str, Any] = {}
    if to_status == PostStatus.RETURNED:
        fields["return_reason"] = reason.strip()
    if to_status == PostStatus.PUBLISHED and locked.published_at is None:
        fields["published_at"] = timezone.now()
    POST_MACHINE.move(locked, to_status, actor=actor, reason=reason, fields=fields, locked=True)
    post.status, post.return_reason, post.published_at = locked.status, locked.return_reason, locked.published_at
    return locked


#: Statuses in which a post's content may still change by import: nobody has applied yet.
POST_CONTENT_EDITABLE_STATUSES = frozenset({PostStatus.DRAFT, PostStatus.RETURNED, PostStatus.SUBMITTED})


@transaction.atomic
def post_create(*, cycle: Cycle, unit: HostUnit, actor: User | None, data: dict[str, Any]) -> Post:
    """A new post of ``unit`` in ``cycle``, as a draft; it moves on through ``post_transition``.

    ``data`` holds the other fields, already validated by the caller (a form, or the import's
    row checks, which cover what ``full_clean`` would without a query per field); the
    database constraints stay the backstop.
    """
    return Post.objects.create(cycle=cycle, unit=unit, created_by=actor, **data)


@transaction.atomic
def post_update_content(*, post: Post, actor: User | None, data: dict[str, Any]) -> Post:
    """Change the content of a post students cannot see yet; a published or closed post is
    changed by staff in its admin page, where they see its applications."""
    locked = Post.objects.select_for_update().get(pk=post.pk)
    if locked.status not in POST_CONTENT_EDITABLE_STATUSES:
        raise PostError(
            _("The post “%(title)s” is “%(status)s”; change it in its own page, not by import.")
            % {"title": locked.title, "status": PostStatus(locked.status).label},
            code="post_frozen",
        )
    for name, value in data.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*data, "updated_at"])
    logger.info("Post %s: %s changed by %s.", locked.pk, ", ".join(sorted(data)), actor or "system")
    return locked


def post_submit(*, post: Post, actor: User | None) -> Post:
    return post_transition(post=post, to_status=PostStatus.SUBMITTED, actor=actor)


def post_publish(*, post: Post, actor: User | None) -> Post:
    return post_transition(post=post, to_status=PostStatus.PUBLISHED, actor=actor)


def post_return(*, post: Post, actor: User | None, reason: str) -> Post:
    return post_transition(post=post, to_status=PostStatus.RETURNED, actor=actor, reason=reason)


def post_close(*, post: Post, actor: User | None, reason: str = "") -> Post:
    return post_transition(post=post, to_status=PostStatus.CLOSED, actor=actor, reason=reason)


class CycleError(DomainError):
    pass


CYCLE_MACHINE = StatusMachine(
    model=Cycle,
    transitions=CYCLE_TRANSITIONS,
    labels=CycleStatus,
    error=CycleError,
    audit=status_change_audit(Cycle),
    message=_lazy("A cycle that is “%(from)s” cannot become “%(to)s”."),
)


def cycle_transition(*, cycle: Cycle, to_status: str, actor: User | None = None, reason: str = "") -> Cycle:
    """The one place a cycle changes status, through ``CYCLE_MACHINE``."""
    return CYCLE_MACHINE.move(cycle, to_status, actor=actor, reason=reason)


#: The dates a cycle's selection runs on; a change of any is sent as ``cycle_timeline_changed``.
CYCLE_TIMELINE_FIELDS = frozenset(
    {
        "registration_opens_at",
        "registration_closes_at",
        "interviews_start_at",
        "interviews_end_at",
        "announcement_at",
        "placement_starts_on",
        "placement_ends_on",
    }
)


@transaction.atomic
def cycle_update(*, cycle: Cycle, changed_fields: Iterable[str], actor: User | None = None) -> Cycle:
    """Save staff's changes to an existing cycle (the admin's change form).

    ``cycle`` carries the new values, already validated by the caller's form;
    ``changed_fields`` names the ones that changed. The row is locked and only those fields are
    written. When a date of the timeline moved, ``signals.cycle_timeline_changed`` is sent in
    this transaction, so that what other apps time by the cycle (messages held until the
    announcement) follows at once instead of at their next periodic run.
    """
    names = {f.name for f in Cycle._meta.concrete_fields if f.editable and not f.primary_key}
    changed = frozenset(changed_fields) & names
    locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
    for name in changed:
        setattr(locked, name, getattr(cycle, name))
    locked.save(update_fields=[*sorted(changed), "updated_at"])
    cycle.updated_at = locked.updated_at
    timeline = changed & CYCLE_TIMELINE_FIELDS
    if timeline:
        logger.info("Cycle %s: %s changed by %s.", locked.pk, ", ".join(sorted(timeline)), actor or "system")
        cycle_timeline_changed.send(sender=Cycle, cycle=locked, changed_fields=timeline, actor=actor)
    return locked
