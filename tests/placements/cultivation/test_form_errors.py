"""A refused form on a placement page comes back as typed, with its error, and changes nothing."""

import pytest
from django.urls import reverse

from placements.cultivation import services
from placements.cultivation.enums import AssessorRole, Grade, TermSwitchStatus
from placements.models import Assessment, Certificate, FinalGrade, Onboarding
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
def switch(placement):
    start = placement.starts_on
    return services.term_switch_request(
        placement=placement,
        actor=placement.student.user,
        to_starts_on=start,
        to_ends_on=start.replace(year=start.year + 1),
        reason="想参加长期项目。",
    )


def _login(client, user):
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def test_onboarding_ending_before_it_starts_keeps_the_notes(client, placement, coordinator):
    notes = "请带身份证和学生证到一楼前台报到。"
    response = _login(client, coordinator.user).post(
        reverse("cultivation:onboarding_edit", args=[placement.pk]),
        {
            "starts_on": "2030-07-10",
            "ends_on": "2030-07-01",
            "report_place": "朱泾镇测试路1号",
            "report_at": "2030-07-10T08:30",
            "notes": notes,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert notes in page
    assert "朱泾镇测试路1号" in page
    assert "The placement cannot end before it starts." in page
    assert not Onboarding.objects.exists()


def test_assessment_without_a_score_keeps_the_comments(client, placement, mentor):
    comments = "工作认真，主动承担会议记录。"
    response = _login(client, mentor.user).post(
        reverse("cultivation:assessment_submit", args=[placement.pk]),
        {"attendance": 5, "work_quality": 4, "initiative": 9, "proposed_grade": Grade.GOOD, "comments": comments},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert comments in page
    assert "Select a valid choice. 9 is not one of the available choices." in page
    assert "This field is required." in page
    assert not Assessment.objects.exists()


def test_grade_change_without_a_reason_is_refused_and_kept(client, placement, mentor, staff_user):
    assess_and_confirm(
        placement, assessor=mentor.user, role=AssessorRole.MENTOR, grade=Grade.GOOD, staff=staff_user, score=4
    )
    response = _login(client, staff_user).post(
        reverse("cultivation:grade_confirm", args=[placement.pk]), {"grade": Grade.EXCELLENT, "reason": "  "}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "changing it needs a reason" in page
    assert f'<option value="{Grade.EXCELLENT}" selected>' in page
    assert FinalGrade.objects.get().grade == Grade.GOOD


def test_term_switch_decision_without_a_choice_keeps_the_note(client, switch, coordinator):
    note = "请先与导师确认秋季课程安排。"
    response = _login(client, coordinator.user).post(
        reverse("cultivation:term_switch_decide", args=[switch.pk]), {"note": note}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f'value="{note}"' in page
    assert "Choose approve or refuse." in page
    switch.refresh_from_db()
    assert switch.status == TermSwitchStatus.UNIT_REVIEW


def test_term_switch_approval_refused_by_the_service_is_shown(client, switch, placement, coordinator, staff_user):
    services.term_switch_decide(request=switch, actor=coordinator.user, approve=True)
    placement.__class__.objects.filter(pk=placement.pk).update(status=PlacementStatus.COMPLETED)
    response = _login(client, staff_user).post(
        reverse("cultivation:term_switch_decide", args=[switch.pk]), {"decision": "approve", "note": "同意延长。"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The placement has ended meanwhile." in page
    assert 'value="同意延长。"' in page
    switch.refresh_from_db()
    assert switch.status == TermSwitchStatus.STAFF_REVIEW


def test_term_switch_decision_by_the_wrong_party_stays_forbidden(client, switch, staff_user):
    response = _login(client, staff_user).post(
        reverse("cultivation:term_switch_decide", args=[switch.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403


@pytest.fixture
def certificate(post, coordinator, staff_user):
    placement = make_placement(post=post, status=PlacementStatus.COMPLETED)
    assess_and_confirm(
        placement, assessor=coordinator.user, role=AssessorRole.COORDINATOR, grade=Grade.EXCELLENT, staff=staff_user
    )
    return services.certificate_issue(placement=placement, actor=staff_user)


def test_certificate_revoke_with_a_too_long_reason_keeps_it(client, certificate, staff_user):
    reason = "证书信息有误" * 40
    response = _login(client, staff_user).post(
        reverse("cultivation:certificate_revoke", args=[certificate.pk]), {"reason": reason}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f'value="{reason}"' in page
    assert "Ensure this value has at most 200 characters (it has 240)." in page
    assert Certificate.objects.get().revoked_at is None


def test_certificate_revoke_without_a_reason_says_why(client, certificate, staff_user):
    response = _login(client, staff_user).post(
        reverse("cultivation:certificate_revoke", args=[certificate.pk]), {"reason": ""}
    )
    assert response.status_code == 400
    assert "Say why the certificate is revoked." in response.content.decode()
    assert Certificate.objects.get().revoked_at is None


def test_certificate_revoked_twice_is_refused_on_the_page(client, certificate, staff_user):
    services.certificate_revoke(certificate=certificate, actor=staff_user, reason="信息有误")
    response = _login(client, staff_user).post(
        reverse("cultivation:certificate_revoke", args=[certificate.pk]), {"reason": "再次撤销"}
    )
    assert response.status_code == 400
    assert "This certificate is already revoked." in response.content.decode()
    assert Certificate.objects.get().revoke_reason == "信息有误"


def test_activity_proposal_with_errors_keeps_the_text(client, placement, monkeypatch):
    monkeypatch.setattr(services, "is_committee_member", lambda placement: True)
    description = "组织一次走访枫泾古镇的主题活动。"
    response = _login(client, placement.student.user).post(
        reverse("cultivation:activity_propose", args=[placement.pk]),
        {
            "title": "古镇走访",
            "description": description,
            "mode": "on_site",
            "starts_at": "2030-07-20T09:00",
            "ends_at": "2030-07-20T08:00",
            "capacity": 20,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert description in page
    assert "An on-site activity needs a place." in page
    assert "The activity must end after it starts." in page
