"""The unit's ranking of a post's interviewed applicants, and "not selected" decisions."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from applicants.models import Application
from applicants.services import application_transition
from jinseed.accounts.models import User
from jinseed.authz import authorize
from placements.selection.enums import RANKABLE_APPLICATION_STATUSES
from positions.models import Post

from .core import S, SelectionError

RANKABLE_STATUSES = RANKABLE_APPLICATION_STATUSES


@transaction.atomic
def post_ranking_set(*, post: Post, ordered_application_ids: list[int], actor: User | None) -> int:
    """Store the post's ranked list: the given applications get ranks 1, 2, 3…, the rest none."""
    authorize("selection.decide_for_unit", actor, post, error=SelectionError)
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
def application_not_select(
    *, application: Application, actor: User | None, reason: str = "", at: datetime | None = None
) -> Application:
    """The unit does not select this applicant (they stay eligible for its backup list).

    No message yet: the student may still be interviewed or offered a place elsewhere, or be
    passed an offer from this post's backups. They hear "not selected" once, for the whole
    cycle, when its selection closes (``cycle_selection_close``); until the announcement the
    status itself is held like every decision.
    """
    authorize("selection.decide_for_unit", actor, application, error=SelectionError)
    return application_transition(application=application, to_status=S.NOT_SELECTED, actor=actor, reason=reason, at=at)
