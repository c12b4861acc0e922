"""Errors, state machines, constants and helpers shared by the cultivation services."""

from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jinseed.accounts.models import User
from jinseed.errors import DomainError
from jinseed.statemachine import Change, StatusMachine, status_change_audit
from placements.cultivation.enums import (
    ACTIVITY_TRANSITIONS,
    TERM_SWITCH_TRANSITIONS,
    ActivityStatus,
    PlacementEventKind,
    TermSwitchStatus,
)
from placements.models import (
    Activity,
    Placement,
    PlacementEvent,
    TermSwitchRequest,
)
from placements.selection.enums import PLACEMENT_TRANSITIONS, PlacementStatus

#: Placements that take part in the cycle's life (groups, activities, forum).
LIVE_PLACEMENT_STATUSES = frozenset({PlacementStatus.UPCOMING, PlacementStatus.ACTIVE, PlacementStatus.COMPLETED})


ASSESSABLE_STATUSES = frozenset({PlacementStatus.ACTIVE, PlacementStatus.COMPLETED})


SCORE_FIELDS = ("attendance", "work_quality", "initiative", "teamwork")


class CultivationError(DomainError):
    pass


def _placement_audit(changes: Sequence[Change]) -> None:
    PlacementEvent.objects.bulk_create(
        PlacementEvent(
            placement_id=c.pk,
            kind=PlacementEventKind.STATUS,
            from_value=c.from_status,
            to_value=c.to_status,
            actor=c.actor,
            reason=c.reason,
        )
        for c in changes
    )


PLACEMENT_MACHINE = StatusMachine(
    model=Placement,
    transitions=PLACEMENT_TRANSITIONS,
    labels=PlacementStatus,
    error=CultivationError,
    audit=_placement_audit,
    message=gettext_lazy("A placement cannot go from “%(from)s” to “%(to)s”."),
)


ACTIVITY_MACHINE = StatusMachine(
    model=Activity,
    transitions=ACTIVITY_TRANSITIONS,
    labels=ActivityStatus,
    error=CultivationError,
    audit=status_change_audit(Activity),
    message=gettext_lazy("An activity cannot go from “%(from)s” to “%(to)s”."),
)


TERM_SWITCH_MACHINE = StatusMachine(
    model=TermSwitchRequest,
    transitions=TERM_SWITCH_TRANSITIONS,
    labels=TermSwitchStatus,
    error=CultivationError,
    audit=status_change_audit(TermSwitchRequest),
    message=gettext_lazy("A request cannot go from “%(from)s” to “%(to)s”."),
)


def forbid(message: str | None = None) -> CultivationError:
    return CultivationError(message or _("You may not do this for this placement."), code="forbidden")


def placement_event(
    *, placement: Placement, kind: str, from_value: str, to_value: str, actor: User | None, reason: str = ""
) -> None:
    PlacementEvent.objects.create(
        placement=placement, kind=kind, from_value=from_value, to_value=to_value, actor=actor, reason=reason
    )


def notify(*, recipient: User, kind: str, context: dict[str, Any], event_key: str) -> None:
    from jinseed.notifications.services import notification_queue

    notification_queue(recipient=recipient, kind=kind, context=context, event_key=event_key)


def placement_lock(placement: Placement) -> Placement:
    return Placement.objects.select_for_update().select_related("post__unit", "post__cycle").get(pk=placement.pk)


def placement_context(placement: Placement) -> dict[str, Any]:
    return {
        "student_name": placement.student.legal_name,
        "post_title": placement.post.title,
        "unit_name": placement.post.unit.name,
        "url": reverse("cultivation:my_placement"),
    }
