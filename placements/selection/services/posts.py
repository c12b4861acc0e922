"""Posts a unit proposes, edits and submits for approval."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jinseed.accounts.models import User
from jinseed.authz import authorize
from positions.enums import PostStatus
from positions.models import Cycle, HostUnit, Post
from positions.services import post_create, post_submit

from .core import EDITABLE_POST_STATUSES, SelectionError


@transaction.atomic
def post_propose(*, unit: HostUnit, cycle: Cycle, actor: User | None, data: dict[str, Any]) -> Post:
    """A new post of ``unit`` in ``cycle``, as a draft that staff have not seen yet
    (``post_create``, once the unit's coordinator is known and the model's checks pass)."""
    authorize("selection.decide_for_unit", actor, unit, error=SelectionError)
    Post(unit=unit, cycle=cycle, created_by=actor, status=PostStatus.DRAFT, **data).full_clean()
    return post_create(cycle=cycle, unit=unit, actor=actor, data=data)


@transaction.atomic
def post_update_draft(*, post: Post, actor: User | None, data: dict[str, Any]) -> Post:
    """Change a draft or returned post; a post staff are looking at or have published is frozen."""
    authorize("selection.decide_for_unit", actor, post, error=SelectionError)
    locked = Post.objects.select_for_update().get(pk=post.pk)
    if locked.status not in EDITABLE_POST_STATUSES:
        raise SelectionError(_("Only a draft or a returned post can be changed."), code="post_frozen")
    for name, value in data.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    return locked


def post_submit_for_approval(*, post: Post, actor: User | None) -> Post:
    authorize("selection.decide_for_unit", actor, post, error=SelectionError)
    if post.status not in EDITABLE_POST_STATUSES:
        raise SelectionError(_("Only a draft or a returned post can be submitted."), code="post_frozen")
    return post_submit(post=post, actor=actor)
