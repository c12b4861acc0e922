"""Groups of 10–15 placed students and the class committee."""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from jinseed.accounts.models import User
from jinseed.authz import can
from placements.cultivation.enums import (
    CommitteeRoleKind,
)
from placements.cultivation.grouping import Member, propose_groups
from placements.models import (
    CommitteeRole,
    Group,
    GroupMembership,
    Placement,
)
from positions.models import Cycle

from .core import LIVE_PLACEMENT_STATUSES, CultivationError, forbid

logger = logging.getLogger(__name__)


def group_candidates(*, cycle: Cycle) -> QuerySet[Placement]:
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
def groups_form(*, cycle: Cycle, actor: User | None = None, replace: bool = False) -> list[Group]:
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
def group_set_leader(*, group: Group, placement: Placement | None, actor: User | None) -> Group:
    if not can("cultivation.manage_cycle_cultivation", actor):
        raise forbid()
    if placement is not None and not GroupMembership.objects.filter(group=group, placement=placement).exists():
        raise CultivationError(_("The leader must be a member of the group."), code="leader_not_member")
    group.leader = placement
    group.save(update_fields=["leader"])
    return group


@transaction.atomic
def group_move(*, placement: Placement, group: Group, actor: User | None) -> GroupMembership:
    """Move a student into ``group`` (staff adjusting the proposal); a leader who leaves
    their group stops leading it."""
    if not can("cultivation.manage_cycle_cultivation", actor):
        raise forbid()
    if group.cycle_id != placement.post.cycle_id:
        raise CultivationError(_("The group belongs to another cycle."), code="wrong_cycle")
    Group.objects.filter(leader=placement).exclude(pk=group.pk).update(leader=None)
    membership, _created = GroupMembership.objects.update_or_create(placement=placement, defaults={"group": group})
    return membership


@transaction.atomic
def committee_role_assign(*, cycle: Cycle, role: str, placement: Placement, actor: User | None) -> CommitteeRole:
    """Give a seat on the class committee to a placed student of the cycle (replacing whoever held it)."""
    if not can("cultivation.manage_cycle_cultivation", actor):
        raise forbid()
    if role not in CommitteeRoleKind.values:
        raise CultivationError(_("Unknown committee role."), code="unknown_role")
    if placement.post.cycle_id != cycle.pk or placement.status not in LIVE_PLACEMENT_STATUSES:
        raise CultivationError(_("The committee is chosen among the cycle's placed students."), code="not_placed")
    seat, _created = CommitteeRole.objects.update_or_create(cycle=cycle, role=role, defaults={"placement": placement})
    return seat


def is_committee_member(*, placement: Placement) -> bool:
    return CommitteeRole.objects.filter(placement=placement, cycle_id=placement.post.cycle_id).exists()


@transaction.atomic
def groups_place_unassigned(*, cycle: Cycle, actor: User | None) -> int:
    """Put each placed student of ``cycle`` without a group (placed after the groups were
    formed) into the group with the fewest members, keeping staff adjustments; returns how
    many were placed. A group of the same town is preferred when it is no larger than the
    smallest group by more than one."""
    if not can("cultivation.manage_cycle_cultivation", actor):
        raise forbid()
    Cycle.objects.select_for_update().get(pk=cycle.pk)
    groups = list(Group.objects.filter(cycle=cycle).order_by("number"))
    if not groups:
        raise CultivationError(_("The cycle has no groups yet: form them first."), code="no_groups")
    sizes = {g.pk: 0 for g in groups}
    towns: dict[int, set[str]] = {g.pk: set() for g in groups}
    for group_id, town in GroupMembership.objects.filter(group__cycle=cycle).values_list(
        "group_id", "placement__post__unit__town"
    ):
        sizes[group_id] += 1
        towns[group_id].add(town)
    waiting = list(group_candidates(cycle=cycle).filter(group_membership__isnull=True))
    for placement in waiting:
        smallest = min(sizes.values())
        near = [g for g in groups if sizes[g.pk] <= smallest + 1 and placement.post.unit.town in towns[g.pk]]
        group = near[0] if near else min(groups, key=lambda g: (sizes[g.pk], g.number))
        GroupMembership.objects.create(group=group, placement=placement)
        sizes[group.pk] += 1
        towns[group.pk].add(placement.post.unit.town)
    logger.info("Placed %d students without a group into %s's groups (by %s)", len(waiting), cycle, actor)
    return len(waiting)
