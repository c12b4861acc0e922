"""A placement's status and its onboarding: mentor, reporting place and time, checklist."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from jinseed.accounts.models import User
from jinseed.authz import can
from placements.cultivation.enums import (
    ChecklistParty,
    PlacementEventKind,
)
from placements.models import (
    Mentor,
    Onboarding,
    OnboardingItem,
    OnboardingTick,
    Placement,
)
from placements.selection.enums import PlacementStatus

from .core import PLACEMENT_MACHINE, CultivationError, forbid, placement_event, placement_lock


@transaction.atomic
def placement_transition(*, placement: Placement, to_status: str, actor: User | None, reason: str = "") -> Placement:
    """Move a placement along ``PLACEMENT_TRANSITIONS`` (upcoming → active → completed)."""
    locked = placement_lock(placement)
    if not can("cultivation.manage_onboarding", actor, locked):
        raise forbid()
    return PLACEMENT_MACHINE.move(locked, to_status, actor=actor, reason=reason, locked=True)


@transaction.atomic
def onboarding_set(
    *,
    placement: Placement,
    actor: User | None,
    mentor: Mentor | None,
    starts_on: dt.date,
    ends_on: dt.date,
    report_place: str,
    report_at: dt.datetime,
    notes: str = "",
) -> Onboarding:
    """Name the mentor and set the dates and the reporting place and time of a placement."""
    locked = placement_lock(placement)
    if not can("cultivation.manage_onboarding", actor, locked):
        raise forbid()
    if locked.status not in (PlacementStatus.UPCOMING, PlacementStatus.ACTIVE):
        raise CultivationError(_("A finished placement's onboarding cannot change."), code="finished")
    if mentor is not None and mentor.unit_id != locked.post.unit_id:
        raise CultivationError(_("The mentor must belong to the placement's unit."), code="mentor_unit")
    if ends_on < starts_on:
        raise CultivationError(_("The placement cannot end before it starts."), code="dates_order")
    if not report_place.strip():
        raise CultivationError(_("Say where the student reports."), code="report_place")
    changed = ["updated_at"]
    if mentor != locked.mentor:
        placement_event(
            placement=locked,
            kind=PlacementEventKind.MENTOR,
            from_value=str(locked.mentor.user) if locked.mentor else "",
            to_value=str(mentor.user) if mentor else "",
            actor=actor,
        )
        locked.mentor = mentor
        changed.append("mentor")
    if (starts_on, ends_on) != (locked.starts_on, locked.ends_on):
        placement_event(
            placement=locked,
            kind=PlacementEventKind.TERM,
            from_value=f"{locked.term} {locked.starts_on}–{locked.ends_on}",
            to_value=f"{locked.term} {starts_on}–{ends_on}",
            actor=actor,
        )
        locked.starts_on, locked.ends_on = starts_on, ends_on
        changed += ["starts_on", "ends_on"]
    locked.save(update_fields=changed)
    onboarding, _created = Onboarding.objects.update_or_create(
        placement=locked,
        defaults={
            "report_place": report_place.strip(),
            "report_at": report_at,
            "notes": notes.strip(),
            "updated_by": actor,
        },
    )
    return onboarding


@transaction.atomic
def onboarding_item_tick(*, placement: Placement, item: OnboardingItem, actor: User | None, done: bool = True) -> bool:
    """Tick (or untick) an onboarding item; the item's party is the only one who may."""
    if item.cycle_id != placement.post.cycle_id:
        raise CultivationError(_("This item belongs to another cycle's checklist."), code="wrong_cycle")
    rule = (
        "cultivation.request_term_switch"
        if item.party == ChecklistParty.STUDENT
        else "cultivation.assess_as_coordinator"
    )
    if not can(rule, actor, placement):
        raise forbid(_("Only the %(party)s ticks this item.") % {"party": ChecklistParty(item.party).label.lower()})
    if placement.status == PlacementStatus.CANCELLED:
        raise CultivationError(_("The placement is cancelled."), code="cancelled")
    if placement.status == PlacementStatus.COMPLETED:
        raise CultivationError(_("The placement is completed: its checklist is kept as it was."), code="completed")
    if done:
        OnboardingTick.objects.get_or_create(placement=placement, item=item, defaults={"ticked_by": actor})
    else:
        OnboardingTick.objects.filter(placement=placement, item=item).delete()
    return done
