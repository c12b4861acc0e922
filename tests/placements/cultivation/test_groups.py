"""Groups through ``manage.py form_groups``: 270 placed students make balanced groups of
10–15, the same every time; a dry run saves nothing; existing groups are kept unless replaced."""

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from placements.cultivation import services
from placements.cultivation.services import CultivationError
from placements.models import Group, GroupMembership
from placements.selection.enums import PlacementStatus
from positions.enums import Town
from tests import factories
from tests.placements.cultivation.helpers import make_placement

pytestmark = pytest.mark.django_db


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _student(n: int):
    return factories.StudentProfileFactory(id_number=factories.make_id_number(n))


@pytest.fixture
def cohort(cycle, fast_passwords):
    """270 placed students in 30 units spread over the district's towns (plus one cancelled)."""
    towns = list(Town.values)
    placements = []
    for u in range(30):
        unit = factories.HostUnitFactory(town=towns[u % len(towns)])
        post = factories.PostFactory(cycle=cycle, unit=unit, headcount=9)
        placements += [make_placement(post=post, student=_student(len(placements) + i)) for i in range(9)]
    make_placement(post=post, student=_student(999), status=PlacementStatus.CANCELLED)
    return placements


def run(*args) -> str:
    out = io.StringIO()
    call_command("form_groups", *args, stdout=out)
    return out.getvalue()


def test_form_groups_dry_run_prints_balanced_groups_and_saves_nothing(cycle, cohort):
    output = run("--cycle", str(cycle.pk), "--dry-run")
    assert output.splitlines()[0] == f"{cycle}: 270 placed students in 22 groups"
    sizes = [int(line.split(":")[1].split()[0]) for line in output.splitlines() if line.strip().startswith("group")]
    assert len(sizes) == 22
    assert sum(sizes) == 270
    assert all(10 <= s <= 15 for s in sizes)
    assert "Dry run: nothing saved." in output
    assert not Group.objects.exists()


def test_form_groups_saves_deterministic_groups_keeping_units_together(cycle, cohort):
    first = [[p.pk for p in group] for group in services.groups_propose(cycle=cycle)]
    assert first == [[p.pk for p in group] for group in services.groups_propose(cycle=cycle)]
    output = run("--cycle", str(cycle.pk))
    assert "Saved 22 groups." in output
    saved = [
        list(GroupMembership.objects.filter(group=g).order_by("placement_id").values_list("placement_id", flat=True))
        for g in Group.objects.filter(cycle=cycle).order_by("number")
    ]
    assert saved == [sorted(group) for group in first]
    assert GroupMembership.objects.count() == 270
    # A unit's nine students are split over at most two groups.
    units_per_group = Counter()
    for membership in GroupMembership.objects.select_related("placement__post"):
        units_per_group[(membership.placement.post.unit_id, membership.group_id)] += 1
    groups_per_unit = Counter(unit for unit, _group in units_per_group)
    assert max(groups_per_unit.values()) <= 2


def test_form_groups_refuses_when_groups_exist_unless_replace(cycle, cohort):
    run("--cycle", str(cycle.pk))
    with pytest.raises(CommandError):
        run("--cycle", str(cycle.pk))
    assert "Saved 22 groups." in run("--cycle", str(cycle.pk), "--replace")
    assert Group.objects.count() == 22


def test_form_groups_unknown_cycle(db):
    with pytest.raises(CommandError):
        run("--cycle", "999999")


def test_group_leader_must_be_a_member_and_move_clears_leadership(cycle, post, staff_user):
    placements = [make_placement(post=post) for _ in range(12)]
    (group,) = services.groups_form(cycle=cycle, actor=staff_user)
    outsider = make_placement()
    with pytest.raises(CultivationError) as exc:
        services.group_set_leader(group=group, placement=outsider, actor=staff_user)
    assert exc.value.code == "leader_not_member"
    services.group_set_leader(group=group, placement=placements[0], actor=staff_user)
    other = Group.objects.create(cycle=cycle, number=2, name="第2组")
    services.group_move(placement=placements[0], group=other, actor=staff_user)
    group.refresh_from_db()
    assert group.leader is None
    assert placements[0].group_membership.group == other


def test_admin_action_forms_groups_and_changelists_open(client, cycle, post, staff_user):
    from django.urls import reverse

    from placements.models import CycleCultivationSettings

    for _ in range(12):
        make_placement(post=post)
    settings_row = CycleCultivationSettings.objects.create(cycle=cycle)
    client.force_login(staff_user)
    url = reverse("admin:placements_cyclecultivationsettings_changelist")
    response = client.post(url, {"action": "form_groups", "_selected_action": [settings_row.pk]})
    assert response.status_code == 302
    assert Group.objects.filter(cycle=cycle).count() == 1
    for model in ("group", "committeerole", "activity", "termswitchrequest", "finalgrade", "certificate", "feedback"):
        assert client.get(reverse(f"admin:placements_{model}_changelist")).status_code == 200
    group = Group.objects.get()
    assert client.get(reverse("admin:placements_group_change", args=[group.pk])).status_code == 200
