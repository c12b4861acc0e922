"""Cultivation services: every workflow, its legal moves and its refusals."""

import datetime as dt

import pytest
from django.utils import timezone

from jinseed.accounts.enums import Role
from jinseed.notifications.models import Notification
from placements.cultivation import services
from placements.cultivation.enums import (
    ActivityKind,
    ActivityMode,
    ActivityStatus,
    AssessorRole,
    ChecklistParty,
    CommitteeRoleKind,
    FeedbackTopic,
    Grade,
    PlacementEventKind,
    TermSwitchStatus,
)
from placements.cultivation.services import CultivationError
from placements.models import (
    ActivitySignup,
    Assessment,
    CycleCultivationSettings,
    FinalGrade,
    OnboardingItem,
    OnboardingTick,
    PlacementEvent,
)
from placements.selection.enums import PlacementStatus
from positions.enums import TermType
from tests import factories
from tests.placements.cultivation.helpers import make_placement, put_in_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentor(unit):
    return factories.MentorFactory(unit=unit)


@pytest.fixture
def placement(post, mentor):
    return make_placement(post=post, mentor=mentor)


@pytest.fixture
def student_user(placement):
    return placement.student.user


def assess(placement, user, role, grade=Grade.GOOD, **scores):
    values = {"attendance": 5, "work_quality": 4, "initiative": 4, "teamwork": 5, **scores}
    return services.assessment_submit(
        placement=placement, actor=user, role=role, proposed_grade=grade, comments="认真负责。", **values
    )


# --- onboarding ---------------------------------------------------------------------------------


def test_onboarding_set_names_mentor_dates_and_reporting(placement, coordinator, unit):
    other_mentor = factories.MentorFactory(unit=unit)
    report_at = timezone.now() + dt.timedelta(days=20)
    onboarding = services.onboarding_set(
        placement=placement,
        actor=coordinator.user,
        mentor=other_mentor,
        starts_on=placement.starts_on + dt.timedelta(days=1),
        ends_on=placement.ends_on,
        report_place="朱泾镇测试路1号三楼",
        report_at=report_at,
        notes="带身份证。",
    )
    placement.refresh_from_db()
    assert (placement.mentor, onboarding.report_place, onboarding.report_at) == (
        other_mentor,
        "朱泾镇测试路1号三楼",
        report_at,
    )
    kinds = list(PlacementEvent.objects.filter(placement=placement).values_list("kind", flat=True))
    assert kinds == [PlacementEventKind.MENTOR, PlacementEventKind.TERM]


def test_onboarding_set_refuses_a_mentor_of_another_unit(placement, coordinator):
    with pytest.raises(CultivationError) as exc:
        services.onboarding_set(
            placement=placement,
            actor=coordinator.user,
            mentor=factories.MentorFactory(),
            starts_on=placement.starts_on,
            ends_on=placement.ends_on,
            report_place="x",
            report_at=timezone.now(),
        )
    assert exc.value.code == "mentor_unit"


def test_onboarding_set_refuses_another_units_coordinator(placement, other_coordinator):
    with pytest.raises(CultivationError) as exc:
        services.onboarding_set(
            placement=placement,
            actor=other_coordinator.user,
            mentor=None,
            starts_on=placement.starts_on,
            ends_on=placement.ends_on,
            report_place="x",
            report_at=timezone.now(),
        )
    assert exc.value.code == "forbidden"


def test_onboarding_checklist_each_party_ticks_its_own_items(placement, coordinator, cycle):
    by_student = OnboardingItem.objects.create(cycle=cycle, title="阅读安全须知", party=ChecklistParty.STUDENT)
    by_unit = OnboardingItem.objects.create(cycle=cycle, title="签订挂职协议", party=ChecklistParty.COORDINATOR)
    student_user = placement.student.user
    services.onboarding_item_tick(placement=placement, item=by_student, actor=student_user)
    services.onboarding_item_tick(placement=placement, item=by_unit, actor=coordinator.user)
    assert OnboardingTick.objects.filter(placement=placement).count() == 2
    with pytest.raises(CultivationError):
        services.onboarding_item_tick(placement=placement, item=by_unit, actor=student_user)
    with pytest.raises(CultivationError):
        services.onboarding_item_tick(placement=placement, item=by_student, actor=coordinator.user)
    services.onboarding_item_tick(placement=placement, item=by_student, actor=student_user, done=False)
    assert list(OnboardingTick.objects.filter(placement=placement).values_list("item", flat=True)) == [by_unit.pk]


def test_onboarding_item_of_another_cycle_is_refused(placement):
    other = OnboardingItem.objects.create(cycle=factories.CycleFactory(), title="x", party=ChecklistParty.STUDENT)
    with pytest.raises(CultivationError) as exc:
        services.onboarding_item_tick(placement=placement, item=other, actor=placement.student.user)
    assert exc.value.code == "wrong_cycle"


def test_placement_transition_follows_the_table(placement, coordinator):
    services.placement_transition(placement=placement, to_status=PlacementStatus.ACTIVE, actor=coordinator.user)
    services.placement_transition(placement=placement, to_status=PlacementStatus.COMPLETED, actor=coordinator.user)
    with pytest.raises(CultivationError) as exc:
        services.placement_transition(placement=placement, to_status=PlacementStatus.ACTIVE, actor=coordinator.user)
    assert exc.value.code == "illegal_transition"
    assert list(PlacementEvent.objects.filter(placement=placement).values_list("to_value", flat=True)) == [
        "active",
        "completed",
    ]


# --- assessment and the final grade -------------------------------------------------------------


def test_assessment_by_mentor_and_coordinator(placement, mentor, coordinator):
    put_in_status(placement, PlacementStatus.ACTIVE)
    assess(placement, mentor.user, AssessorRole.MENTOR, Grade.EXCELLENT)
    assess(placement, coordinator.user, AssessorRole.COORDINATOR, Grade.GOOD)
    assess(placement, mentor.user, AssessorRole.MENTOR, Grade.GOOD, teamwork=3)  # replaces, not adds
    rows = {a.assessor_role: (a.proposed_grade, a.teamwork) for a in Assessment.objects.filter(placement=placement)}
    assert rows == {AssessorRole.MENTOR: (Grade.GOOD, 3), AssessorRole.COORDINATOR: (Grade.GOOD, 5)}


def test_assessment_refused_for_wrong_role_other_mentor_or_bad_scores(placement, mentor, coordinator):
    put_in_status(placement, PlacementStatus.ACTIVE)
    with pytest.raises(CultivationError):
        assess(placement, coordinator.user, AssessorRole.MENTOR)
    with pytest.raises(CultivationError):
        assess(placement, factories.MentorFactory(unit=mentor.unit).user, AssessorRole.MENTOR)
    with pytest.raises(CultivationError) as exc:
        assess(placement, mentor.user, AssessorRole.MENTOR, attendance=6)
    assert exc.value.code == "score_range"


def test_assessment_refused_before_the_placement_starts(placement, mentor):
    with pytest.raises(CultivationError) as exc:
        assess(placement, mentor.user, AssessorRole.MENTOR)
    assert exc.value.code == "not_started"


def test_grade_confirm_locks_the_grade_and_assessments(placement, mentor, staff_user):
    put_in_status(placement, PlacementStatus.COMPLETED)
    assess(placement, mentor.user, AssessorRole.MENTOR, Grade.EXCELLENT)
    final, _warnings = services.grade_confirm(placement=placement, actor=staff_user, grade=Grade.EXCELLENT)
    assert final.grade == Grade.EXCELLENT
    with pytest.raises(CultivationError) as exc:
        assess(placement, mentor.user, AssessorRole.MENTOR, Grade.GOOD)
    assert exc.value.code == "grade_locked"
    with pytest.raises(CultivationError) as exc:
        services.grade_confirm(placement=placement, actor=staff_user, grade=Grade.GOOD)
    assert exc.value.code == "reason_required"
    assert FinalGrade.objects.get(placement=placement).grade == Grade.EXCELLENT


def test_grade_change_with_reason_is_audited_and_revokes_the_certificate(placement, mentor, staff_user):
    put_in_status(placement, PlacementStatus.COMPLETED)
    assess(placement, mentor.user, AssessorRole.MENTOR, Grade.EXCELLENT)
    services.grade_confirm(placement=placement, actor=staff_user, grade=Grade.EXCELLENT)
    certificate = services.certificate_issue(placement=placement, actor=placement.student.user)
    services.grade_confirm(placement=placement, actor=staff_user, grade=Grade.GOOD, reason="复核考勤记录后调整。")
    assert FinalGrade.objects.get(placement=placement).grade == Grade.GOOD
    grade_events = PlacementEvent.objects.filter(placement=placement, kind=PlacementEventKind.GRADE)
    assert list(grade_events.values_list("from_value", "to_value", "reason", "actor")) == [
        ("", Grade.EXCELLENT, "", staff_user.pk),
        (Grade.EXCELLENT, Grade.GOOD, "复核考勤记录后调整。", staff_user.pk),
    ]
    certificate.refresh_from_db()
    assert certificate.is_revoked


def test_grade_confirm_refused_for_non_staff_and_without_assessment(placement, coordinator, staff_user):
    put_in_status(placement, PlacementStatus.COMPLETED)
    with pytest.raises(CultivationError) as exc:
        services.grade_confirm(placement=placement, actor=staff_user, grade=Grade.GOOD)
    assert exc.value.code == "no_assessment"
    assess(placement, coordinator.user, AssessorRole.COORDINATOR)
    with pytest.raises(CultivationError) as exc:
        services.grade_confirm(placement=placement, actor=coordinator.user, grade=Grade.GOOD)
    assert exc.value.code == "forbidden"


def test_grade_confirm_notifies_the_student(placement, coordinator, staff_user, django_capture_on_commit_callbacks):
    put_in_status(placement, PlacementStatus.COMPLETED)
    assess(placement, coordinator.user, AssessorRole.COORDINATOR)
    services.grade_confirm(placement=placement, actor=staff_user, grade=Grade.GOOD)
    rows = Notification.objects.filter(recipient=placement.student.user, kind="grade_confirmed")
    assert rows.exists()
    assert rows.first().context["grade"] in {"良好", "Good"}


def test_excellent_cap_warns_when_exceeded(post, coordinator, staff_user, cycle):
    CycleCultivationSettings.objects.create(cycle=cycle, excellent_cap_percent=50)
    placements = [make_placement(post=post, status=PlacementStatus.COMPLETED) for _ in range(3)]
    for p in placements:
        assess(p, coordinator.user, AssessorRole.COORDINATOR)
    _f, first = services.grade_confirm(placement=placements[0], actor=staff_user, grade=Grade.GOOD)
    _f, second = services.grade_confirm(placement=placements[1], actor=staff_user, grade=Grade.EXCELLENT)
    _f, third = services.grade_confirm(placement=placements[2], actor=staff_user, grade=Grade.EXCELLENT)
    assert (first, second) == ([], [])
    assert len(third) == 1
    assert services.excellent_share(cycle=cycle) == (2, 3)


# --- term switch --------------------------------------------------------------------------------


def _request_switch(placement):
    return services.term_switch_request(
        placement=placement,
        actor=placement.student.user,
        to_starts_on=placement.starts_on,
        to_ends_on=placement.starts_on + dt.timedelta(days=330),
        reason="希望长期参与项目。",
    )


def test_term_switch_unit_then_staff_approve_changes_term_and_keeps_history(placement, coordinator, staff_user):
    before = (placement.term, placement.starts_on, placement.ends_on)
    switch = _request_switch(placement)
    assert (switch.from_term, switch.to_term, switch.status) == (
        TermType.SHORT,
        TermType.LONG,
        TermSwitchStatus.UNIT_REVIEW,
    )
    with pytest.raises(CultivationError):  # staff cannot skip the unit
        services.term_switch_decide(request=switch, actor=staff_user, approve=True)
    switch = services.term_switch_decide(request=switch, actor=coordinator.user, approve=True)
    assert switch.status == TermSwitchStatus.STAFF_REVIEW
    with pytest.raises(CultivationError):  # the unit cannot decide twice
        services.term_switch_decide(request=switch, actor=coordinator.user, approve=True)
    switch = services.term_switch_decide(request=switch, actor=staff_user, approve=True, note="同意。")
    placement.refresh_from_db()
    assert switch.status == TermSwitchStatus.APPROVED
    assert (placement.term, placement.ends_on) == (TermType.LONG, placement.starts_on + dt.timedelta(days=330))
    assert (switch.from_term, switch.from_starts_on, switch.from_ends_on) == before
    assert PlacementEvent.objects.filter(placement=placement, kind=PlacementEventKind.TERM).count() == 1
    assert Notification.objects.filter(recipient=placement.student.user, kind="term_switch_decided").exists()
    with pytest.raises(CultivationError):
        services.term_switch_decide(request=switch, actor=staff_user, approve=False)


def test_term_switch_refused_by_unit_leaves_the_placement(placement, coordinator):
    switch = services.term_switch_decide(request=_request_switch(placement), actor=coordinator.user, approve=False)
    placement.refresh_from_db()
    assert (switch.status, placement.term) == (TermSwitchStatus.REFUSED, TermType.SHORT)


def test_term_switch_one_open_request_and_withdraw(placement, other_coordinator):
    switch = _request_switch(placement)
    with pytest.raises(CultivationError) as exc:
        _request_switch(placement)
    assert exc.value.code == "open_request"
    with pytest.raises(CultivationError):
        services.term_switch_decide(request=switch, actor=other_coordinator.user, approve=True)
    services.term_switch_withdraw(request=switch, actor=placement.student.user)
    _request_switch(placement)  # a new one is allowed after withdrawing


def test_term_switch_refused_for_another_student_or_finished_placement(placement):
    other = factories.StudentProfileFactory().user
    with pytest.raises(CultivationError):
        services.term_switch_request(
            placement=placement,
            actor=other,
            to_starts_on=placement.starts_on,
            to_ends_on=placement.ends_on,
            reason="x",
        )
    put_in_status(placement, PlacementStatus.COMPLETED)
    with pytest.raises(CultivationError) as exc:
        _request_switch(placement)
    assert exc.value.code == "finished"


# --- activities, committee, feedback ------------------------------------------------------------


def _activity_data(**overrides):
    start = timezone.now() + dt.timedelta(days=3)
    return {
        "title": "金山区情介绍",
        "mode": ActivityMode.ON_SITE,
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=2),
        "place": "金山区青年中心",
        "capacity": 2,
        **overrides,
    }


def test_activity_publish_signup_within_capacity_and_attendance(cycle, post, staff_user):
    activity = services.activity_publish(
        cycle=cycle, actor=staff_user, kind=ActivityKind.ORIENTATION, data=_activity_data()
    )
    first, second, third = (make_placement(post=post) for _ in range(3))
    services.activity_signup(activity=activity, placement=first, actor=first.student.user)
    services.activity_signup(activity=activity, placement=second, actor=second.student.user)
    with pytest.raises(CultivationError) as exc:
        services.activity_signup(activity=activity, placement=third, actor=third.student.user)
    assert exc.value.code == "full"
    with pytest.raises(CultivationError) as exc:
        services.activity_signup(activity=activity, placement=first, actor=first.student.user)
    assert exc.value.code == "already"
    services.activity_signup_cancel(activity=activity, placement=second, actor=second.student.user)
    services.activity_signup(activity=activity, placement=third, actor=third.student.user)
    services.activity_attendance_record(activity=activity, actor=staff_user, attended_placement_ids=[first.pk])
    assert dict(ActivitySignup.objects.filter(activity=activity).values_list("placement", "attended")) == {
        first.pk: True,
        third.pk: False,
    }


def test_activity_livestream_needs_a_link_and_non_staff_cannot_publish(cycle, placement, staff_user):
    with pytest.raises(CultivationError) as exc:
        services.activity_publish(
            cycle=cycle, actor=staff_user, kind=ActivityKind.CAREER, data=_activity_data(mode=ActivityMode.LIVESTREAM)
        )
    assert exc.value.code == "link_required"
    with pytest.raises(CultivationError):
        services.activity_publish(
            cycle=cycle, actor=placement.student.user, kind=ActivityKind.KICKOFF, data=_activity_data()
        )


def test_activity_signup_refused_when_started_or_for_another_cycle(cycle, placement, staff_user):
    past = services.activity_publish(
        cycle=cycle,
        actor=staff_user,
        kind=ActivityKind.ETIQUETTE,
        data=_activity_data(starts_at=timezone.now() - dt.timedelta(hours=1), ends_at=timezone.now()),
    )
    with pytest.raises(CultivationError) as exc:
        services.activity_signup(activity=past, placement=placement, actor=placement.student.user)
    assert exc.value.code == "started"
    elsewhere = services.activity_publish(
        cycle=factories.CycleFactory(), actor=staff_user, kind=ActivityKind.KICKOFF, data=_activity_data()
    )
    with pytest.raises(CultivationError) as exc:
        services.activity_signup(activity=elsewhere, placement=placement, actor=placement.student.user)
    assert exc.value.code == "wrong_cycle"


def test_committee_proposes_4_plus_x_activity_for_staff_approval(cycle, post, placement, staff_user):
    outsider = make_placement(post=post)
    with pytest.raises(CultivationError):
        services.activity_propose(placement=outsider, actor=outsider.student.user, data=_activity_data())
    services.committee_role_assign(cycle=cycle, role=CommitteeRoleKind.MONITOR, placement=placement, actor=staff_user)
    proposal = services.activity_propose(placement=placement, actor=placement.student.user, data=_activity_data())
    assert (proposal.kind, proposal.status) == (ActivityKind.SELF_DESIGNED, ActivityStatus.PROPOSED)
    with pytest.raises(CultivationError):  # not open for sign-up until approved
        services.activity_signup(activity=proposal, placement=outsider, actor=outsider.student.user)
    with pytest.raises(CultivationError):  # the committee does not approve its own proposals
        services.activity_transition(
            activity=proposal, to_status=ActivityStatus.PUBLISHED, actor=placement.student.user
        )
    services.activity_transition(activity=proposal, to_status=ActivityStatus.PUBLISHED, actor=staff_user)
    services.activity_signup(activity=proposal, placement=outsider, actor=outsider.student.user)
    with pytest.raises(CultivationError) as exc:
        services.activity_transition(activity=proposal, to_status=ActivityStatus.REFUSED, actor=staff_user)
    assert exc.value.code == "illegal_transition"


def test_committee_roles_are_chosen_among_the_cycles_placed_students(cycle, placement, staff_user):
    seat = services.committee_role_assign(
        cycle=cycle, role=CommitteeRoleKind.LEAGUE_SECRETARY, placement=placement, actor=staff_user
    )
    assert seat.placement == placement
    replacement = make_placement(post=placement.post)
    services.committee_role_assign(
        cycle=cycle, role=CommitteeRoleKind.LEAGUE_SECRETARY, placement=replacement, actor=staff_user
    )
    seat.refresh_from_db()
    assert seat.placement == replacement
    foreign = make_placement()  # another cycle
    with pytest.raises(CultivationError) as exc:
        services.committee_role_assign(cycle=cycle, role=CommitteeRoleKind.STUDY, placement=foreign, actor=staff_user)
    assert exc.value.code == "not_placed"


def test_feedback_submit_answer_and_adopt(placement, staff_user, unit):
    feedback = services.feedback_submit(
        placement=placement,
        actor=placement.student.user,
        topic=FeedbackTopic.LIVING,
        body="希望增加班车。",
        anonymous_to_unit=True,
    )
    assert (feedback.unit, feedback.anonymous_to_unit) == (unit, True)
    with pytest.raises(CultivationError) as exc:
        services.feedback_answer(feedback=feedback, actor=staff_user, answer="好的。", adopted=True)
    assert exc.value.code == "action_required"
    with pytest.raises(CultivationError):
        services.feedback_answer(feedback=feedback, actor=placement.student.user, answer="x", adopted=False)
    feedback = services.feedback_answer(
        feedback=feedback, actor=staff_user, answer="已协调。", adopted=True, action_taken="开通朱泾—石化班车。"
    )
    assert (feedback.adopted, feedback.action_taken) == (True, "开通朱泾—石化班车。")


def test_feedback_refused_for_a_cancelled_placement(placement):
    put_in_status(placement, PlacementStatus.CANCELLED)
    with pytest.raises(CultivationError) as exc:
        services.feedback_submit(
            placement=placement, actor=placement.student.user, topic="other", body="x", anonymous_to_unit=False
        )
    assert exc.value.code == "not_placed"


def test_mentor_role_account_is_not_a_student(placement, mentor):
    assert mentor.user.role == Role.MENTOR
    with pytest.raises(CultivationError):
        services.feedback_submit(
            placement=placement, actor=mentor.user, topic="other", body="x", anonymous_to_unit=False
        )
