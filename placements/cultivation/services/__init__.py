"""Every write of cultivation: what happens once a student has accepted a place.

Lifecycle of a placement after selection: the unit names the mentor and the reporting
place and time (``onboarding_set``); student and coordinator tick the cycle's onboarding
items; staff form the cycle's groups (``groups_form``, from ``grouping.propose_groups``) and
its class committee; students sign up for activities; a term switch goes unit → staff;
at the end mentor and coordinator assess, staff confirm the final grade (locked from then
on: a change needs a reason and leaves an audit row), and a completed placement with a
passing grade yields a certificate that the public verify page confirms until revoked.

Locks: placement before certificate and final grade; an activity row before its sign-ups.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jinseed.errors import DomainError
from jinseed.statemachine import StatusMachine, status_change_audit
from placements.cultivation import certificates
from placements.cultivation.enums import (
    ACTIVITY_TRANSITIONS,
    GRADE_LABEL_ZH,
    OPEN_TERM_SWITCH_STATUSES,
    TERM_SWITCH_TRANSITIONS,
    ActivityKind,
    ActivityMode,
    ActivityStatus,
    AssessorRole,
    ChecklistParty,
    CommitteeRoleKind,
    Grade,
    PlacementEventKind,
    TermSwitchStatus,
)
from placements.cultivation.grouping import Member, propose_groups
from placements.cultivation.rules import can
from placements.models import (
    Activity,
    ActivitySignup,
    Assessment,
    Certificate,
    CommitteeRole,
    CycleCultivationSettings,
    Feedback,
    FinalGrade,
    Group,
    GroupMembership,
    Mentor,
    Onboarding,
    OnboardingItem,
    OnboardingTick,
    Placement,
    PlacementEvent,
    TermSwitchRequest,
)
from placements.selection.enums import PLACEMENT_TRANSITIONS, PlacementStatus
from positions.enums import TermType
from positions.models import Cycle

logger = logging.getLogger(__name__)

#: Placements that take part in the cycle's life (groups, activities, forum).
LIVE_PLACEMENT_STATUSES = frozenset({PlacementStatus.UPCOMING, PlacementStatus.ACTIVE, PlacementStatus.COMPLETED})
ASSESSABLE_STATUSES = frozenset({PlacementStatus.ACTIVE, PlacementStatus.COMPLETED})
SCORE_FIELDS = ("attendance", "work_quality", "initiative", "teamwork")


class CultivationError(DomainError):
    pass


def _placement_audit(changes) -> None:
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


def _forbid(message: str | None = None) -> CultivationError:
    return CultivationError(message or _("You may not do this for this placement."), code="forbidden")


def _event(*, placement: Placement, kind: str, from_value: str, to_value: str, actor, reason: str = "") -> None:
    PlacementEvent.objects.create(
        placement=placement, kind=kind, from_value=from_value, to_value=to_value, actor=actor, reason=reason
    )


def _notify(*, recipient, kind: str, context: dict, event_key: str) -> None:
    from jinseed.notifications.services import notification_queue

    notification_queue(recipient=recipient, kind=kind, context=context, event_key=event_key)


def _lock(placement: Placement) -> Placement:
    return Placement.objects.select_for_update().select_related("post__unit", "post__cycle").get(pk=placement.pk)


def _placement_context(placement: Placement) -> dict:
    return {
        "student_name": placement.student.legal_name,
        "post_title": placement.post.title,
        "unit_name": placement.post.unit.name,
        "url": reverse("cultivation:my_placement"),
    }


# --- placement status and onboarding ------------------------------------------------------------


@transaction.atomic
def placement_transition(*, placement: Placement, to_status: str, actor, reason: str = "") -> Placement:
    """Move a placement along ``PLACEMENT_TRANSITIONS`` (upcoming → active → completed)."""
    locked = _lock(placement)
    if not can("manage_onboarding", actor, locked):
        raise _forbid()
    return PLACEMENT_MACHINE.move(locked, to_status, actor=actor, reason=reason, locked=True)


@transaction.atomic
def onboarding_set(
    *,
    placement: Placement,
    actor,
    mentor: Mentor | None,
    starts_on: dt.date,
    ends_on: dt.date,
    report_place: str,
    report_at: dt.datetime,
    notes: str = "",
) -> Onboarding:
    """Name the mentor and set the dates and the reporting place and time of a placement."""
    locked = _lock(placement)
    if not can("manage_onboarding", actor, locked):
        raise _forbid()
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
        _event(
            placement=locked,
            kind=PlacementEventKind.MENTOR,
            from_value=str(locked.mentor.user) if locked.mentor else "",
            to_value=str(mentor.user) if mentor else "",
            actor=actor,
        )
        locked.mentor = mentor
        changed.append("mentor")
    if (starts_on, ends_on) != (locked.starts_on, locked.ends_on):
        _event(
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
def onboarding_item_tick(*, placement: Placement, item: OnboardingItem, actor, done: bool = True) -> bool:
    """Tick (or untick) an onboarding item; the item's party is the only one who may."""
    if item.cycle_id != placement.post.cycle_id:
        raise CultivationError(_("This item belongs to another cycle's checklist."), code="wrong_cycle")
    rule = "request_term_switch" if item.party == ChecklistParty.STUDENT else "assess_as_coordinator"
    if not can(rule, actor, placement):
        raise _forbid(_("Only the %(party)s ticks this item.") % {"party": ChecklistParty(item.party).label.lower()})
    if placement.status == PlacementStatus.CANCELLED:
        raise CultivationError(_("The placement is cancelled."), code="cancelled")
    if done:
        OnboardingTick.objects.get_or_create(placement=placement, item=item, defaults={"ticked_by": actor})
    else:
        OnboardingTick.objects.filter(placement=placement, item=item).delete()
    return done


# --- groups and class committee -----------------------------------------------------------------


def group_candidates(*, cycle: Cycle):
    """The cycle's placed students, in the order ``propose_groups`` needs nothing more from."""
    return (
        Placement.objects.filter(post__cycle=cycle, status__in=LIVE_PLACEMENT_STATUSES)
        .select_related("student", "post__unit")
        .order_by("pk")
    )


def groups_propose(*, cycle: Cycle) -> list[list[Placement]]:
    """Groups of 10–15 of the cycle's placed students, the same town and unit kept together.

    Deterministic: the same placements always give the same groups.
    """
    placements = {p.pk: p for p in group_candidates(cycle=cycle)}
    members = [Member(student_id=p.pk, town=p.post.unit.town, unit_id=p.post.unit_id) for p in placements.values()]
    return [[placements[m.student_id] for m in group] for group in propose_groups(members)]


def group_name(number: int) -> str:
    """A group's name, stored in the site's language (students read it)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Group %(number)d") % {"number": number}


@transaction.atomic
def groups_form(*, cycle: Cycle, actor=None, replace: bool = False) -> list[Group]:
    """Save the proposal as the cycle's groups. Refuses when groups exist, unless ``replace``
    (which drops the staff's adjustments: it is meant for a first formation)."""
    Cycle.objects.select_for_update().get(pk=cycle.pk)
    existing = Group.objects.filter(cycle=cycle)
    if existing.exists():
        if not replace:
            raise CultivationError(
                _("The cycle already has groups; adjust them in the admin or replace them on purpose."),
                code="groups_exist",
            )
        existing.delete()
    proposal = groups_propose(cycle=cycle)
    groups = Group.objects.bulk_create(
        [Group(cycle=cycle, number=i, name=group_name(i)) for i in range(1, len(proposal) + 1)]
    )
    GroupMembership.objects.bulk_create(
        [
            GroupMembership(group=group, placement=p)
            for group, members in zip(groups, proposal, strict=True)
            for p in members
        ]
    )
    logger.info("Formed %d groups for %s (by %s)", len(groups), cycle, actor)
    return groups


@transaction.atomic
def group_set_leader(*, group: Group, placement: Placement | None, actor) -> Group:
    if not can("manage_cycle_cultivation", actor):
        raise _forbid()
    if placement is not None and not GroupMembership.objects.filter(group=group, placement=placement).exists():
        raise CultivationError(_("The leader must be a member of the group."), code="leader_not_member")
    group.leader = placement
    group.save(update_fields=["leader"])
    return group


@transaction.atomic
def group_move(*, placement: Placement, group: Group, actor) -> GroupMembership:
    """Move a student into ``group`` (staff adjusting the proposal); a leader who leaves
    their group stops leading it."""
    if not can("manage_cycle_cultivation", actor):
        raise _forbid()
    if group.cycle_id != placement.post.cycle_id:
        raise CultivationError(_("The group belongs to another cycle."), code="wrong_cycle")
    Group.objects.filter(leader=placement).exclude(pk=group.pk).update(leader=None)
    membership, _created = GroupMembership.objects.update_or_create(placement=placement, defaults={"group": group})
    return membership


@transaction.atomic
def committee_role_assign(*, cycle: Cycle, role: str, placement: Placement, actor) -> CommitteeRole:
    """Give a seat on the class committee to a placed student of the cycle (replacing whoever held it)."""
    if not can("manage_cycle_cultivation", actor):
        raise _forbid()
    if role not in CommitteeRoleKind.values:
        raise CultivationError(_("Unknown committee role."), code="unknown_role")
    if placement.post.cycle_id != cycle.pk or placement.status not in LIVE_PLACEMENT_STATUSES:
        raise CultivationError(_("The committee is chosen among the cycle's placed students."), code="not_placed")
    seat, _created = CommitteeRole.objects.update_or_create(cycle=cycle, role=role, defaults={"placement": placement})
    return seat


def is_committee_member(*, placement: Placement) -> bool:
    return CommitteeRole.objects.filter(placement=placement, cycle_id=placement.post.cycle_id).exists()


# --- activities ---------------------------------------------------------------------------------


def _activity_check(*, mode: str, place: str, stream_url: str, starts_at, ends_at, capacity: int) -> None:
    if mode == ActivityMode.ON_SITE and not place.strip():
        raise CultivationError(_("An on-site activity needs a place."), code="place_required")
    if mode == ActivityMode.LIVESTREAM and not stream_url.strip():
        raise CultivationError(_("A livestreamed activity needs a link."), code="link_required")
    if ends_at <= starts_at:
        raise CultivationError(_("The activity must end after it starts."), code="time_order")
    if capacity < 1:
        raise CultivationError(_("An activity needs at least one place."), code="capacity")


def _activity_new(*, cycle: Cycle, kind: str, status: str, actor, data: dict) -> Activity:
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
def activity_publish(*, cycle: Cycle, actor, kind: str, data: dict) -> Activity:
    """Staff publish an activity of the cycle's programme."""
    if not can("manage_cycle_cultivation", actor):
        raise _forbid()
    return _activity_new(cycle=cycle, kind=kind, status=ActivityStatus.PUBLISHED, actor=actor, data=data)


@transaction.atomic
def activity_propose(*, placement: Placement, actor, data: dict) -> Activity:
    """A class committee member proposes a self-designed ("4+x") activity for staff approval."""
    if not can("request_term_switch", actor, placement) or not is_committee_member(placement=placement):
        raise _forbid(_("Only members of the class committee propose activities."))
    return _activity_new(
        cycle=placement.post.cycle,
        kind=ActivityKind.SELF_DESIGNED,
        status=ActivityStatus.PROPOSED,
        actor=actor,
        data=data,
    )


@transaction.atomic
def activity_transition(*, activity: Activity, to_status: str, actor, note: str = "") -> Activity:
    """Approve (publish) or refuse a proposal, or cancel a published activity: staff only."""
    if not can("manage_cycle_cultivation", actor):
        raise _forbid()
    return ACTIVITY_MACHINE.move(
        activity,
        to_status,
        actor=actor,
        reason=note.strip(),
        fields={"decided_by": actor, "decision_note": note.strip()},
    )


@transaction.atomic
def activity_signup(*, activity: Activity, placement: Placement, actor, at=None) -> ActivitySignup:
    """Sign a placed student up, within the activity's capacity (counted under its row lock)."""
    at = at or timezone.now()
    if not can("request_term_switch", actor, placement):
        raise _forbid()
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
def activity_signup_cancel(*, activity: Activity, placement: Placement, actor, at=None) -> None:
    at = at or timezone.now()
    if not can("request_term_switch", actor, placement):
        raise _forbid()
    if activity.starts_at <= at:
        raise CultivationError(_("This activity has already started."), code="started")
    deleted, _rows = ActivitySignup.objects.filter(activity=activity, placement=placement).delete()
    if not deleted:
        raise CultivationError(_("You had not signed up."), code="not_signed_up")


@transaction.atomic
def activity_attendance_record(*, activity: Activity, actor, attended_placement_ids) -> int:
    """Record who came: the listed sign-ups attended, every other sign-up did not."""
    if not can("manage_cycle_cultivation", actor):
        raise _forbid()
    ids = set(attended_placement_ids)
    signups = ActivitySignup.objects.select_for_update().filter(activity=activity)
    unknown = ids - set(signups.values_list("placement_id", flat=True))
    if unknown:
        raise CultivationError(_("Attendance can be recorded only for students who signed up."), code="not_signed_up")
    signups.filter(placement_id__in=ids).update(attended=True)
    signups.exclude(placement_id__in=ids).update(attended=False)
    return len(ids)


# --- term switch --------------------------------------------------------------------------------


@transaction.atomic
def term_switch_request(
    *, placement: Placement, actor, to_starts_on: dt.date, to_ends_on: dt.date, reason: str
) -> TermSwitchRequest:
    locked = _lock(placement)
    if not can("request_term_switch", actor, locked):
        raise _forbid()
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
def term_switch_decide(*, request, actor, approve: bool, note: str = "", at=None):
    """The unit's decision first (approve passes it to staff), then the programme's; an
    approval by staff changes the placement's term and dates."""
    at = at or timezone.now()
    placement = _lock(request.placement)
    locked = TermSwitchRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status == TermSwitchStatus.UNIT_REVIEW:
        if not can("decide_term_switch_for_unit", actor, placement):
            raise _forbid(_("The unit's coordinator decides first."))
        to_status = TermSwitchStatus.STAFF_REVIEW if approve else TermSwitchStatus.REFUSED
        decision = {"unit_decided_by": actor, "unit_decided_at": at}
    else:
        if locked.status == TermSwitchStatus.STAFF_REVIEW and not can("decide_term_switch_for_programme", actor):
            raise _forbid(_("Programme staff decide after the unit."))
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
        _event(
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
        _notify(
            recipient=placement.student.user,
            kind="term_switch_decided",
            context={
                **_placement_context(placement),
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
def term_switch_withdraw(*, request, actor):
    locked = TermSwitchRequest.objects.select_for_update().select_related("placement").get(pk=request.pk)
    if not can("request_term_switch", actor, locked.placement):
        raise _forbid()
    return TERM_SWITCH_MACHINE.move(locked, TermSwitchStatus.WITHDRAWN, actor=actor, locked=True)


# --- assessment and the final grade -------------------------------------------------------------


@transaction.atomic
def assessment_submit(
    *,
    placement: Placement,
    actor,
    role: str,
    attendance: int,
    work_quality: int,
    initiative: int,
    teamwork: int,
    proposed_grade: str,
    comments: str = "",
) -> Assessment:
    """The mentor's or the coordinator's assessment (created or replaced until the grade is confirmed)."""
    locked = _lock(placement)
    rule = {AssessorRole.MENTOR: "assess_as_mentor", AssessorRole.COORDINATOR: "assess_as_coordinator"}.get(role)
    if rule is None or not can(rule, actor, locked):
        raise _forbid(_("Only the student's mentor and the unit's coordinator assess this placement."))
    if locked.status not in ASSESSABLE_STATUSES:
        raise CultivationError(_("A placement is assessed once it has started."), code="not_started")
    if FinalGrade.objects.filter(placement=locked).exists():
        raise CultivationError(_("The final grade is confirmed: the assessments are locked."), code="grade_locked")
    scores = {
        "attendance": attendance,
        "work_quality": work_quality,
        "initiative": initiative,
        "teamwork": teamwork,
    }
    if any(not 1 <= int(v) <= 5 for v in scores.values()):
        raise CultivationError(_("Scores go from 1 to 5."), code="score_range")
    if proposed_grade not in Grade.values:
        raise CultivationError(_("Choose a grade."), code="grade")
    assessment, _created = Assessment.objects.update_or_create(
        placement=locked,
        assessor_role=role,
        defaults={
            **{k: int(v) for k, v in scores.items()},
            "assessor": actor,
            "proposed_grade": proposed_grade,
            "comments": comments.strip(),
        },
    )
    return assessment


def cultivation_settings(cycle: Cycle) -> CycleCultivationSettings:
    found = CycleCultivationSettings.objects.filter(cycle=cycle).first()
    return found or CycleCultivationSettings(cycle=cycle)


def excellent_share(*, cycle: Cycle) -> tuple[int, int]:
    """(excellent, confirmed) final grades of the cycle."""
    counts = FinalGrade.objects.filter(placement__post__cycle=cycle).aggregate(
        total=Count("id"), excellent=Count("id", filter=Q(grade=Grade.EXCELLENT))
    )
    return counts["excellent"], counts["total"]


def excellent_cap_warning(*, cycle: Cycle) -> str | None:
    """A warning when the cycle's share of excellent grades is over its cap (None when within)."""
    cap = cultivation_settings(cycle).excellent_cap_percent
    excellent, total = excellent_share(cycle=cycle)
    if cap is None or total == 0 or excellent * 100 <= cap * total:
        return None
    return _(
        "%(excellent)d of %(total)d confirmed grades (%(share)d%%) are excellent: more than the cap of %(cap)d%%."
    ) % {
        "excellent": excellent,
        "total": total,
        "share": round(excellent * 100 / total),
        "cap": cap,
    }


@transaction.atomic
def grade_confirm(*, placement: Placement, actor, grade: str, reason: str = "") -> tuple[FinalGrade, list[str]]:
    """Staff confirm the final grade; it is locked from then on.

    A later change needs a reason, leaves a ``PlacementEvent`` and revokes the live
    certificate (which shows the old grade). Returns the grade and the warnings to show
    (the cycle's excellent share over its cap).
    """
    locked = _lock(placement)
    if not can("confirm_grade", actor, locked):
        raise _forbid(_("Only programme staff confirm a final grade."))
    if grade not in Grade.values:
        raise CultivationError(_("Choose a grade."), code="grade")
    if locked.status not in ASSESSABLE_STATUSES:
        raise CultivationError(_("A placement is graded once it has started."), code="not_started")
    if not Assessment.objects.filter(placement=locked).exists():
        raise CultivationError(_("Wait for the mentor's or the coordinator's assessment."), code="no_assessment")
    current = FinalGrade.objects.select_for_update().filter(placement=locked).first()
    if current is None:
        final = FinalGrade.objects.create(placement=locked, grade=grade, confirmed_by=actor)
        _event(placement=locked, kind=PlacementEventKind.GRADE, from_value="", to_value=grade, actor=actor)
    else:
        if not reason.strip():
            raise CultivationError(_("The final grade is locked: changing it needs a reason."), code="reason_required")
        if current.grade == grade:
            raise CultivationError(_("The final grade is already “%(grade)s”.") % {"grade": Grade(grade).label})
        _event(
            placement=locked,
            kind=PlacementEventKind.GRADE,
            from_value=current.grade,
            to_value=grade,
            actor=actor,
            reason=reason.strip(),
        )
        current.grade, current.confirmed_by, current.confirmed_at = grade, actor, timezone.now()
        current.save(update_fields=["grade", "confirmed_by", "confirmed_at"])
        final = current
        for certificate in Certificate.objects.select_for_update().filter(placement=locked, revoked_at__isnull=True):
            _certificate_revoke_locked(
                certificate=certificate,
                actor=actor,
                reason=_("The final grade changed: %(reason)s") % {"reason": reason},
            )
    placement_full = Placement.objects.select_related("student__user", "post__unit").get(pk=locked.pk)
    with translation.override(placement_full.student.user.language or settings.LANGUAGE_CODE):
        grade_label = str(Grade(grade).label)
    _notify(
        recipient=placement_full.student.user,
        kind="grade_confirmed",
        context={**_placement_context(placement_full), "grade": grade_label},
        event_key=f"placement:{locked.pk}:grade:{final.confirmed_at.timestamp():.0f}",
    )
    warning = excellent_cap_warning(cycle=locked.post.cycle)
    return final, [warning] if warning else []


# --- certificates -------------------------------------------------------------------------------


def certificate_can_be_issued(placement: Placement) -> bool:
    final = getattr(placement, "final_grade", None)
    return placement.status == PlacementStatus.COMPLETED and final is not None and final.grade != Grade.FAIL


@transaction.atomic
def certificate_issue(*, placement: Placement, actor) -> Certificate:
    """The placement's live certificate, issued now if it has none.

    The student's first download issues it; once one has been revoked, only staff issue
    another (a revocation must not be undone by the next download).
    """
    locked = _lock(placement)
    live = Certificate.objects.filter(placement=locked, revoked_at__isnull=True).first()
    if live is not None:
        return live
    if not can("download_certificate", actor, locked):
        raise _forbid()
    if not certificate_can_be_issued(locked):
        raise CultivationError(
            _("A certificate is issued for a completed placement with a confirmed passing grade."),
            code="not_eligible",
        )
    if Certificate.objects.filter(placement=locked).exists() and not can("manage_certificate", actor):
        raise CultivationError(_("This certificate was revoked; programme staff can issue a new one."), code="revoked")
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Certificate.objects.create(
                    placement=locked,
                    code=certificates.certificate_code_new(year=locked.post.cycle.year),
                    grade=locked.final_grade.grade,
                    issued_by=actor,
                )
        except IntegrityError:
            continue  # a code collision (one in 32⁸): draw again
    raise CultivationError(_("No certificate code could be drawn; try again."), code="code")


def _certificate_revoke_locked(*, certificate: Certificate, actor, reason: str) -> Certificate:
    certificate.revoked_at, certificate.revoked_by, certificate.revoke_reason = timezone.now(), actor, reason[:200]
    certificate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    _event(
        placement=certificate.placement,
        kind=PlacementEventKind.CERTIFICATE,
        from_value=certificate.code,
        to_value="",
        actor=actor,
        reason=reason,
    )
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, actor, reason: str) -> Certificate:
    if not can("manage_certificate", actor):
        raise _forbid(_("Only programme staff revoke a certificate."))
    locked = Certificate.objects.select_for_update().select_related("placement").get(pk=certificate.pk)
    if locked.is_revoked:
        raise CultivationError(_("This certificate is already revoked."), code="revoked")
    if not reason.strip():
        raise CultivationError(_("Say why the certificate is revoked."), code="reason_required")
    return _certificate_revoke_locked(certificate=locked, actor=actor, reason=reason.strip())


def certificate_verify_url(code: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("cultivation:verify", args=[code])


def certificate_render(*, certificate: Certificate) -> bytes:
    """The certificate's PDF (Chinese by design)."""
    placement = certificate.placement
    return certificates.certificate_pdf(
        certificates.CertificateText(
            student_name=placement.student.legal_name,
            cycle_title=placement.post.cycle.title,
            unit_name=placement.post.unit.name,
            post_title=placement.post.title,
            starts_on=placement.starts_on,
            ends_on=placement.ends_on,
            grade_label=GRADE_LABEL_ZH[certificate.grade],
            code=certificate.code,
            verify_url=certificate_verify_url(certificate.code),
            issued_on=timezone.localdate(certificate.issued_at),
        )
    )


# --- forum feedback -----------------------------------------------------------------------------


@transaction.atomic
def feedback_submit(*, placement: Placement, actor, topic: str, body: str, anonymous_to_unit: bool) -> Feedback:
    """A placed student's opinion or suggestion for the cycle's forum."""
    if not can("request_term_switch", actor, placement):
        raise _forbid()
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
def feedback_answer(*, feedback: Feedback, actor, answer: str, adopted: bool, action_taken: str = "") -> Feedback:
    """Staff answer; an adopted suggestion says what was done (the public page shows it)."""
    if not can("manage_cycle_cultivation", actor):
        raise _forbid()
    if not answer.strip():
        raise CultivationError(_("Write an answer."), code="answer_required")
    if adopted and not action_taken.strip():
        raise CultivationError(_("Say what was done about an adopted suggestion."), code="action_required")
    locked = Feedback.objects.select_for_update().get(pk=feedback.pk)
    locked.answer, locked.adopted, locked.action_taken = answer.strip(), adopted, action_taken.strip()
    locked.answered_by, locked.answered_at = actor, timezone.now()
    locked.save(update_fields=["answer", "adopted", "action_taken", "answered_by", "answered_at"])
    return locked
