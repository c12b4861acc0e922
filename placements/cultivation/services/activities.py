"""Activities: published by staff or proposed by students, sign-ups within capacity, attendance."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jinseed.accounts.models import User
from jinseed.authz import can
from placements.cultivation.enums import (
    ActivityKind,
    ActivityMode,
    ActivityStatus,
)
from placements.models import (
    Activity,
    ActivitySignup,
    Placement,
)
from positions.models import Cycle

from .core import ACTIVITY_MACHINE, LIVE_PLACEMENT_STATUSES, CultivationError, forbid
from .groups import is_committee_member


def _activity_check(
    *, mode: str, place: str, stream_url: str, starts_at: datetime, ends_at: datetime, capacity: int
) -> None:
    if mode == ActivityMode.ON_SITE and not place.strip():
        raise CultivationError(_("An on-site activity needs a place."), code="place_required")
    if mode == ActivityMode.LIVESTREAM and not stream_url.strip():
        raise CultivationError(_("A livestreamed activity needs a link."), code="link_required")
    if ends_at <= starts_at:
        raise CultivationError(_("The activity must end after it starts."), code="time_order")
    if capacity < 1:
        raise CultivationError(_("An activity needs at least one place."), code="capacity")


def _activity_new(*, cycle: Cycle, kind: str, status: str, actor: User | None, data: dict[str, Any]) -> Activity:
    fields = {
        "title": data["title"].strip(),
        "description": data.get("description", "").strip(),
        "mode": data["mode"],
        "starts_at": data["starts_at"],
        "ends_at": data["ends_at"],
        "place": data.get("place", "").strip() if data["mode"] == ActivityMode.ON_SITE else "",
        "stream_url": data.get("stream_url", "").strip() if data["mode"] == ActivityMode.LIVESTREAM else "",
        "capacity": int(data.get("capacity") or 50),
    }
    _activity_check(
        mode=fields["mode"],
        place=fields["place"],
        stream_url=fields["stream_url"],
        starts_at=fields["starts_at"],
        ends_at=fields["ends_at"],
        capacity=fields["capacity"],
    )
    return Activity.objects.create(cycle=cycle, kind=kind, status=status, proposed_by=actor, **fields)


@transaction.atomic
def activity_publish(*, cycle: Cycle, actor: User | None, kind: str, data: dict[str, Any]) -> Activity:
    """Staff publish an activity of the cycle's programme."""
    if not can("cultivation.manage_cycle_cultivation", actor):
        raise forbid()
    return _activity_new(cycle=cycle, kind=kind, status=ActivityStatus.PUBLISHED, actor=actor, data=data)


@transaction.atomic
def activity_propose(*, placement: Placement, actor: User | None, data: dict[str, Any]) -> Activity:
    """A class committee member proposes a self-designed ("4+x") activity for staff approval."""
    if not can("cultivation.request_term_switch", actor, placement) or not is_committee_member(placement=placement):
        raise forbid(_("Only members of the class committee propose activities."))
    return _activity_new(
        cycle=placement.post.cycle,
        kind=ActivityKind.SELF_DESIGNED,
        status=ActivityStatus.PROPOSED,
        actor=actor,
        data=data,
    )


@transaction.atomic
def activity_transition(*, activity: Activity, to_status: str, actor: User | None, note: str = "") -> Activity:
    """Approve (publish) or refuse a proposal, or cancel a published activity: staff only."""
    if not can("cultivation.manage_cycle_cultivation", actor):
        raise forbid()
    return ACTIVITY_MACHINE.move(
        activity,
        to_status,
        actor=actor,
        reason=note.strip(),
        fields={"decided_by": actor, "decision_note": note.strip()},
    )


@transaction.atomic
def activity_signup(
    *, activity: Activity, placement: Placement, actor: User | None, at: datetime | None = None
) -> ActivitySignup:
    """Sign a placed student up, within the activity's capacity (counted under its row lock)."""
    at = at or timezone.now()
    if not can("cultivation.request_term_switch", actor, placement):
        raise forbid()
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    if locked.status != ActivityStatus.PUBLISHED:
        raise CultivationError(_("This activity is not open for sign-up."), code="not_published")
    if locked.starts_at <= at:
        raise CultivationError(_("This activity has already started."), code="started")
    if locked.cycle_id != placement.post.cycle_id or placement.status not in LIVE_PLACEMENT_STATUSES:
        raise CultivationError(_("This activity is for another cycle's students."), code="wrong_cycle")
    if ActivitySignup.objects.filter(activity=locked, placement=placement).exists():
        raise CultivationError(_("You have already signed up."), code="already")
    if ActivitySignup.objects.filter(activity=locked).count() >= locked.capacity:
        raise CultivationError(_("The activity is full."), code="full")
    return ActivitySignup.objects.create(activity=locked, placement=placement)


@transaction.atomic
def activity_signup_cancel(
    *, activity: Activity, placement: Placement, actor: User | None, at: datetime | None = None
) -> None:
    at = at or timezone.now()
    if not can("cultivation.request_term_switch", actor, placement):
        raise forbid()
    if activity.starts_at <= at:
        raise CultivationError(_("This activity has already started."), code="started")
    deleted, _rows = ActivitySignup.objects.filter(activity=activity, placement=placement).delete()
    if not deleted:
        raise CultivationError(_("You had not signed up."), code="not_signed_up")


@transaction.atomic
def activity_attendance_record(*, activity: Activity, actor: User | None, attended_placement_ids: Iterable[int]) -> int:
    """Record who came: the listed sign-ups attended, every other sign-up did not."""
    if not can("cultivation.manage_cycle_cultivation", actor):
        raise forbid()
    ids = set(attended_placement_ids)
    signups = ActivitySignup.objects.select_for_update().filter(activity=activity)
    unknown = ids - set(signups.values_list("placement_id", flat=True))
    if unknown:
        raise CultivationError(_("Attendance can be recorded only for students who signed up."), code="not_signed_up")
    signups.filter(placement_id__in=ids).update(attended=True)
    signups.exclude(placement_id__in=ids).update(attended=False)
    return len(ids)
