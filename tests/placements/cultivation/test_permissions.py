"""Who sees and does what in cultivation: every rule over every role, and the pages' scoping."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from jinseed.authz import can
from placements.cultivation.enums import AssessorRole, ChecklistParty, Grade
from placements.models import Assessment, FinalGrade, Onboarding, OnboardingItem
from placements.selection.enums import PlacementStatus
from tests import factories
from tests.placements.cultivation.helpers import assess_and_confirm, make_placement

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentor(unit):
    return factories.MentorFactory(unit=unit)


@pytest.fixture
def placement(post, mentor):
    return make_placement(post=post, mentor=mentor, status=PlacementStatus.ACTIVE)


@pytest.fixture
def roles(placement, mentor, coordinator, other_coordinator, staff_user, unit):
    return {
        "own_student": placement.student.user,
        "other_student": factories.StudentProfileFactory().user,
        "mentor": mentor.user,
        "other_mentor_same_unit": factories.MentorFactory(unit=unit).user,
        "coordinator": coordinator.user,
        "other_coordinator": other_coordinator.user,
        "staff": staff_user,
    }


EXPECTED = {
    "cultivation.view_placement": {"own_student", "mentor", "coordinator", "staff"},
    "cultivation.manage_onboarding": {"coordinator", "staff"},
    "cultivation.assess_as_mentor": {"mentor"},
    "cultivation.assess_as_coordinator": {"coordinator"},
    "cultivation.confirm_grade": {"staff"},
    "cultivation.request_term_switch": {"own_student"},
    "cultivation.decide_term_switch_for_unit": {"coordinator"},
    "cultivation.download_certificate": {"own_student", "coordinator", "staff"},
}


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_rule_over_every_role(rule, roles, placement):
    allowed = {name for name, user in roles.items() if can(rule, user, placement)}
    assert allowed == EXPECTED[rule]


def test_mentor_list_shows_only_their_students(client, placement, mentor, post):
    mine_too = make_placement(post=post, mentor=mentor)
    not_mine = make_placement(post=post, mentor=factories.MentorFactory(unit=mentor.unit))
    client.force_login(mentor.user)
    response = client.get(reverse("cultivation:placement_list"))
    assert response.status_code == 200
    assert {p.pk for p in response.context["placements"]} == {placement.pk, mine_too.pk}
    assert client.get(reverse("cultivation:placement_detail", args=[not_mine.pk])).status_code == 404
    assert client.get(reverse("cultivation:placement_detail", args=[placement.pk])).status_code == 200


def test_coordinator_sees_only_their_units_placements(client, placement, coordinator, other_coordinator):
    elsewhere = make_placement(unit=other_coordinator.unit)
    client.force_login(coordinator.user)
    listed = {p.pk for p in client.get(reverse("cultivation:placement_list")).context["placements"]}
    assert placement.pk in listed and elsewhere.pk not in listed
    assert client.get(reverse("cultivation:placement_detail", args=[elsewhere.pk])).status_code == 404


def test_student_sees_only_their_own_placement(client, placement):
    other = make_placement()
    client.force_login(placement.student.user)
    assert client.get(reverse("cultivation:my_placement_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("cultivation:placement_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("cultivation:placement_list")).status_code == 403


def test_anonymous_goes_to_login(client, placement):
    response = client.get(reverse("cultivation:my_placement"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_non_student_cannot_open_my_placement(client, coordinator):
    client.force_login(coordinator.user)
    assert client.get(reverse("cultivation:my_placement")).status_code == 403


def test_my_placement_page_shows_mentor_group_and_checklist(
    client, placement, mentor, cycle, django_assert_max_num_queries
):
    from placements.cultivation import services

    staff = factories.StaffFactory()
    for _ in range(9):
        make_placement(post=placement.post)
    services.groups_form(cycle=cycle, actor=staff)
    group = placement.group_membership.group
    services.group_set_leader(group=group, placement=placement, actor=staff)
    OnboardingItem.objects.create(cycle=cycle, title="阅读安全须知", party=ChecklistParty.STUDENT)
    client.cookies["django_language"] = "en"
    client.force_login(placement.student.user)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("cultivation:my_placement"))
    page = response.content.decode()
    assert response.status_code == 200
    assert mentor.user.full_name in page
    assert f'data-testid="group-leader">{placement.student.legal_name}<' in page
    assert page.count("、") == 9  # ten members' names
    assert "阅读安全须知" in page


def test_my_placement_without_placement(client, student):
    client.cookies["django_language"] = "en"
    client.force_login(student.user)
    response = client.get(reverse("cultivation:my_placement"))
    assert response.status_code == 200
    assert "You have no placement yet." in response.content.decode()


def test_coordinator_onboarding_form_keeps_input_on_error(client, placement, coordinator):
    client.cookies["django_language"] = "en"
    client.force_login(coordinator.user)
    response = client.post(
        reverse("cultivation:onboarding_edit", args=[placement.pk]),
        {
            "starts_on": "2030-07-10",
            "ends_on": "2030-07-01",
            "report_place": "朱泾镇测试路1号",
            "report_at": "2030-07-10T08:30",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The placement cannot end before it starts." in page
    assert "朱泾镇测试路1号" in page
    assert not Onboarding.objects.exists()


def test_coordinator_saves_onboarding(client, placement, coordinator, mentor):
    client.force_login(coordinator.user)
    response = client.post(
        reverse("cultivation:onboarding_edit", args=[placement.pk]),
        {
            "mentor": mentor.pk,
            "starts_on": placement.starts_on.isoformat(),
            "ends_on": placement.ends_on.isoformat(),
            "report_place": "朱泾镇测试路1号",
            "report_at": "2030-07-10T08:30",
        },
    )
    assert response.status_code == 302
    onboarding = Onboarding.objects.get(placement=placement)
    assert onboarding.report_at == dt.datetime(2030, 7, 10, 8, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


def test_other_coordinator_cannot_post_onboarding(client, placement, other_coordinator):
    client.force_login(other_coordinator.user)
    response = client.post(reverse("cultivation:onboarding_edit", args=[placement.pk]), {})
    assert response.status_code == 404


def test_mentor_assesses_through_the_page(client, placement, mentor):
    client.force_login(mentor.user)
    data = {"attendance": 5, "work_quality": 5, "initiative": 4, "teamwork": 5, "proposed_grade": Grade.EXCELLENT}
    response = client.post(reverse("cultivation:assessment_submit", args=[placement.pk]), data)
    assert response.status_code == 302
    assert Assessment.objects.get(placement=placement).assessor_role == AssessorRole.MENTOR


def test_student_cannot_confirm_a_grade_or_assess(client, placement):
    client.force_login(placement.student.user)
    assert (
        client.post(reverse("cultivation:grade_confirm", args=[placement.pk]), {"grade": "excellent"}).status_code
        == 403
    )
    data = {"attendance": 5, "work_quality": 5, "initiative": 5, "teamwork": 5, "proposed_grade": "excellent"}
    assert client.post(reverse("cultivation:assessment_submit", args=[placement.pk]), data).status_code == 403
    assert not FinalGrade.objects.exists()


def test_staff_grade_change_without_reason_shows_the_error(client, placement, mentor, staff_user):

    assess_and_confirm(
        placement, assessor=mentor.user, role=AssessorRole.MENTOR, grade=Grade.EXCELLENT, staff=staff_user
    )
    client.cookies["django_language"] = "en"
    client.force_login(staff_user)
    response = client.post(reverse("cultivation:grade_confirm", args=[placement.pk]), {"grade": Grade.GOOD})
    assert response.status_code == 400
    assert "changing it needs a reason" in response.content.decode()
    assert FinalGrade.objects.get().grade == Grade.EXCELLENT


def test_term_switch_form_keeps_input_on_error(client, placement):
    client.cookies["django_language"] = "en"
    client.force_login(placement.student.user)
    response = client.post(
        reverse("cultivation:term_switch_request", args=[placement.pk]),
        {"to_starts_on": "2030-07-10", "to_ends_on": "2030-07-01", "reason": "想长期参与。"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The new term cannot end before it starts." in page
    assert "想长期参与。" in page


def test_forum_page_lists_only_adopted_suggestions_without_names(client, placement, staff_user, cycle):
    from placements.cultivation import services

    adopted = services.feedback_submit(
        placement=placement,
        actor=placement.student.user,
        topic="living",
        body="希望增加班车。",
        anonymous_to_unit=False,
    )
    services.feedback_answer(
        feedback=adopted, actor=staff_user, answer="已协调。", adopted=True, action_taken="开通朱泾—石化班车。"
    )
    services.feedback_submit(
        placement=placement, actor=placement.student.user, topic="other", body="未采纳的意见", anonymous_to_unit=True
    )
    page = client.get(reverse("cultivation:forum", args=[cycle.year])).content.decode()
    assert "开通朱泾—石化班车。" in page
    assert "未采纳的意见" not in page
    assert placement.student.legal_name not in page


def test_term_switch_through_the_pages_unit_then_staff(client, placement, coordinator, staff_user):
    client.force_login(placement.student.user)
    start = placement.starts_on
    response = client.post(
        reverse("cultivation:term_switch_request", args=[placement.pk]),
        {"to_starts_on": start.isoformat(), "to_ends_on": (start + dt.timedelta(days=300)).isoformat(), "reason": "x"},
    )
    assert response.status_code == 302
    switch = placement.term_switches.get()
    client.force_login(staff_user)
    assert (
        client.post(reverse("cultivation:term_switch_decide", args=[switch.pk]), {"decision": "approve"}).status_code
        == 403
    )
    client.force_login(coordinator.user)
    assert client.get(reverse("cultivation:placement_detail", args=[placement.pk])).status_code == 200
    client.post(reverse("cultivation:term_switch_decide", args=[switch.pk]), {"decision": "approve"})
    client.force_login(staff_user)
    assert client.get(reverse("cultivation:placement_detail", args=[placement.pk])).status_code == 200
    client.post(reverse("cultivation:term_switch_decide", args=[switch.pk]), {"decision": "approve"})
    placement.refresh_from_db()
    assert placement.term == "long"


def test_student_ticks_own_item_and_signs_up_through_the_page(client, placement, cycle, staff_user):
    from placements.cultivation import services
    from placements.cultivation.enums import ActivityKind, ActivityMode
    from placements.models import ActivitySignup, OnboardingTick

    item = OnboardingItem.objects.create(cycle=cycle, title="阅读安全须知", party=ChecklistParty.STUDENT)
    unit_item = OnboardingItem.objects.create(cycle=cycle, title="签订协议", party=ChecklistParty.COORDINATOR)
    start = timezone.now() + dt.timedelta(days=1)
    activity = services.activity_publish(
        cycle=cycle,
        actor=staff_user,
        kind=ActivityKind.CAREER,
        data={
            "title": "职业规划",
            "mode": ActivityMode.LIVESTREAM,
            "stream_url": "https://live.example.cn/1",
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=1),
        },
    )
    client.force_login(placement.student.user)
    assert client.post(reverse("cultivation:checklist_tick", args=[placement.pk, item.pk])).status_code == 302
    assert client.post(reverse("cultivation:checklist_tick", args=[placement.pk, unit_item.pk])).status_code == 403
    assert list(OnboardingTick.objects.values_list("item", flat=True)) == [item.pk]
    client.post(reverse("cultivation:activity_signup", args=[placement.pk, activity.pk]))
    assert ActivitySignup.objects.filter(activity=activity, placement=placement).exists()
