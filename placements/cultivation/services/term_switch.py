"""Switching a placement between short and long term: the unit decides, then staff."""

import datetime as dt
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jinseed.accounts.models import User
from jinseed.authz import can
from placements.cultivation.enums import (
    OPEN_TERM_SWITCH_STATUSES,
    PlacementEventKind,
    TermSwitchStatus,
)
from placements.models import (
    Placement,
    TermSwitchRequest,
)
from placements.selection.enums import PlacementStatus
from positions.enums import TermType

from .core import (
    TERM_SWITCH_MACHINE,
    CultivationError,
    forbid,
    notify,
    placement_context,
    placement_event,
    placement_lock,
)


@transaction.atomic
def term_switch_request(
    *, placement: Placement, actor: User | None, to_starts_on: dt.date, to_ends_on: dt.date, reason: str
) -> TermSwitchRequest:
    locked = placement_lock(placement)
    if not can("cultivation.request_term_switch", actor, locked):
        raise forbid()
    if locked.status not in (PlacementStatus.UPCOMING, PlacementStatus.ACTIVE):
        raise CultivationError(_("Only a placement that has not ended can switch term."), code="finished")
    if to_ends_on < to_starts_on:
        raise CultivationError(_("The new term cannot end before it starts."), code="dates_order")
    if not reason.strip():
        raise CultivationError(_("Say why you ask to switch."), code="reason_required")
    if TermSwitchRequest.objects.filter(placement=locked, status__in=OPEN_TERM_SWITCH_STATUSES).exists():
        raise CultivationError(_("A request to switch is already waiting for a decision."), code="open_request")
    to_term = TermType.LONG if locked.term == TermType.SHORT else TermType.SHORT
    return TermSwitchRequest.objects.create(
        placement=locked,
        from_term=locked.term,
        to_term=to_term,
        from_starts_on=locked.starts_on,
        from_ends_on=locked.ends_on,
        to_starts_on=to_starts_on,
        to_ends_on=to_ends_on,
        reason=reason.strip(),
        requested_by=actor,
    )


@transaction.atomic
def term_switch_decide(
    *, request: TermSwitchRequest, actor: User | None, approve: bool, note: str = "", at: datetime | None = None
) -> TermSwitchRequest:
    """The unit's decision first (approve passes it to staff), then the programme's; an
    approval by staff changes the placement's term and dates."""
    at = at or timezone.now()
    placement = placement_lock(request.placement)
    locked = TermSwitchRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status == TermSwitchStatus.UNIT_REVIEW:
        if not can("cultivation.decide_term_switch_for_unit", actor, placement):
            raise forbid(_("The unit's coordinator decides first."))
        to_status = TermSwitchStatus.STAFF_REVIEW if approve else TermSwitchStatus.REFUSED
        decision = {"unit_decided_by": actor, "unit_decided_at": at}
    else:
        if locked.status == TermSwitchStatus.STAFF_REVIEW and not can(
            "cultivation.decide_term_switch_for_programme", actor
        ):
            raise forbid(_("Programme staff decide after the unit."))
        to_status = TermSwitchStatus.APPROVED if approve else TermSwitchStatus.REFUSED
        decision = {"staff_decided_by": actor, "staff_decided_at": at}
    TERM_SWITCH_MACHINE.move(
        locked,
        to_status,
        actor=actor,
        at=at,
        reason=note.strip(),
        locked=True,
        fields={**decision, "decision_note": note.strip()},
    )
    if to_status == TermSwitchStatus.APPROVED:
        if placement.status not in (PlacementStatus.UPCOMING, PlacementStatus.ACTIVE):
            raise CultivationError(_("The placement has ended meanwhile."), code="finished")
        placement_event(
            placement=placement,
            kind=PlacementEventKind.TERM,
            from_value=f"{locked.from_term} {locked.from_starts_on}–{locked.from_ends_on}",
            to_value=f"{locked.to_term} {locked.to_starts_on}–{locked.to_ends_on}",
            actor=actor,
            reason=locked.reason,
        )
        placement.term = locked.to_term
        placement.starts_on, placement.ends_on = locked.to_starts_on, locked.to_ends_on
        placement.save(update_fields=["term", "starts_on", "ends_on", "updated_at"])
    if to_status in (TermSwitchStatus.APPROVED, TermSwitchStatus.REFUSED):
        placement = Placement.objects.select_related("student__user", "post__unit").get(pk=placement.pk)
        with translation.override(placement.student.user.language or settings.LANGUAGE_CODE):
            term_label = str(TermType(locked.to_term).label)
        notify(
            recipient=placement.student.user,
            kind="term_switch_decided",
            context={
                **placement_context(placement),
                "approved": to_status == TermSwitchStatus.APPROVED,
                "term": term_label,
                "starts_on": locked.to_starts_on.isoformat(),
                "ends_on": locked.to_ends_on.isoformat(),
                "note": locked.decision_note,
            },
            event_key=f"term_switch:{locked.pk}:decided",
        )
    return locked


@transaction.atomic
def term_switch_withdraw(*, request: TermSwitchRequest, actor: User | None) -> TermSwitchRequest:
    locked = TermSwitchRequest.objects.select_for_update().select_related("placement").get(pk=request.pk)
    if not can("cultivation.request_term_switch", actor, locked.placement):
        raise forbid()
    return TERM_SWITCH_MACHINE.move(locked, TermSwitchStatus.WITHDRAWN, actor=actor, locked=True)
