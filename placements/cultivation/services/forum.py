"""Forum feedback: students' opinions and suggestions, and the programme's answers."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jinseed.accounts.models import User
from jinseed.authz import can
from placements.models import (
    Feedback,
    Placement,
)

from .core import LIVE_PLACEMENT_STATUSES, CultivationError, forbid


@transaction.atomic
def feedback_submit(
    *, placement: Placement, actor: User | None, topic: str, body: str, anonymous_to_unit: bool
) -> Feedback:
    """A placed student's opinion or suggestion for the cycle's forum."""
    if not can("cultivation.request_term_switch", actor, placement):
        raise forbid()
    if placement.status not in LIVE_PLACEMENT_STATUSES:
        raise CultivationError(_("Only the cycle's placed students take part in the forum."), code="not_placed")
    if not body.strip():
        raise CultivationError(_("Write your opinion or suggestion."), code="body_required")
    return Feedback.objects.create(
        cycle_id=placement.post.cycle_id,
        student_id=placement.student_id,
        unit_id=placement.post.unit_id,
        topic=topic,
        body=body.strip(),
        anonymous_to_unit=anonymous_to_unit,
    )


@transaction.atomic
def feedback_answer(
    *, feedback: Feedback, actor: User | None, answer: str, adopted: bool, action_taken: str = ""
) -> Feedback:
    """Staff answer; an adopted suggestion says what was done (the public page shows it)."""
    if not can("cultivation.manage_cycle_cultivation", actor):
        raise forbid()
    if not answer.strip():
        raise CultivationError(_("Write an answer."), code="answer_required")
    if adopted and not action_taken.strip():
        raise CultivationError(_("Say what was done about an adopted suggestion."), code="action_required")
    locked = Feedback.objects.select_for_update().get(pk=feedback.pk)
    locked.answer, locked.adopted, locked.action_taken = answer.strip(), adopted, action_taken.strip()
    locked.answered_by, locked.answered_at = actor, timezone.now()
    locked.save(update_fields=["answer", "adopted", "action_taken", "answered_by", "answered_at"])
    return locked
