"""Deleting an account: a grace period, then nothing of the person is left but what the
programme must keep, under a masked name."""

import datetime as dt
import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django.utils import timezone

from jinseed.accounts.models import ContactVerification
from jinseed.notifications.models import Notification
from placements.cultivation.certificates import certificate_code_new
from placements.models import DeletionRequest, DeletionStatus
from placements.privacy.services.deletion import DeletionError, deletion_request_cancel, deletion_request_create
from tests import factories
from tests.placements.cultivation.helpers import make_placement, put_in_status
from tests.world import build_world

pytestmark = pytest.mark.django_db


def _text_values(model, field):
    for value in model._base_manager.values_list(field.attname, flat=True):
        if value is None:
            continue
        yield json.dumps(value, ensure_ascii=False) if isinstance(field, models.JSONField) else str(value)


def _tables_holding(needles: list[str]) -> list[tuple[str, str, str]]:
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                continue
            for value in _text_values(model, field):
                found += [(model._meta.label, field.name, n) for n in needles if n in value]
    return sorted(set(found))


@pytest.fixture
def world(db):
    return build_world()


def test_after_the_grace_period_no_table_holds_the_name_mobile_email_or_id_number(
    client, world, django_capture_on_commit_callbacks
):
    side = world.b
    user = side.student.user
    needles = ["钱二丽", "13922220002", "qian.erli@example.cn", side.id_number]
    # Another user's message that quotes the student, a code sent to them, the admin's log.
    Notification.objects.create(
        recipient=side.coordinator.user,
        channel="inbox",
        kind="application_needs_review",
        event_key="quote-b",
        context={"student_name": "钱二丽", "post_title": "B局办公室助理"},
    )
    ContactVerification.objects.create(
        user=user, channel="sms", target="13922220002", code_hash="x", expires_at=timezone.now()
    )
    assert _tables_holding(needles) != []
    request = DeletionRequest.objects.create(user=user, due_at=timezone.now() - dt.timedelta(minutes=1))
    call_command("account_deletions_run")
    request.refresh_from_db()
    assert request.status == DeletionStatus.COMPLETED
    assert _tables_holding(needles) == []
    # Side a is untouched.
    assert _tables_holding(["赵一鸣", "13911110001", "zhao.yiming@example.cn"]) != []
    user.refresh_from_db()
    assert (user.is_active, user.has_usable_password(), user.mobile, user.full_name) == (False, False, None, "")
    assert Notification.objects.filter(recipient=user).count() == 0
    assert Notification.objects.get(event_key="quote-b").context["student_name"] == "钱**"


def test_the_certificate_still_verifies_with_the_masked_name(client, world):
    side = world.b
    code = certificate_code_new(year=world.cycle.year)
    type(side.certificate).objects.filter(pk=side.certificate.pk).update(code=code)
    before = client.get(reverse("cultivation:verify", args=[code]))
    assert before.context["masked_name"] == "钱**"
    DeletionRequest.objects.create(user=side.student.user, due_at=timezone.now() - dt.timedelta(minutes=1))
    call_command("account_deletions_run")
    response = client.get(reverse("cultivation:verify", args=[code]))
    assert response.status_code == 200
    assert response.context["masked_name"] == "钱**"
    assert "钱二丽" not in response.content.decode()
    side.placement.refresh_from_db()
    assert side.placement.student.legal_name == "钱**"


def test_before_the_grace_period_ends_nothing_is_erased_and_the_student_may_cancel(settings):
    settings.ACCOUNT_DELETION_GRACE_DAYS = 7
    student = factories.StudentProfileFactory(legal_name="孙小梅")
    request = deletion_request_create(user=student.user)
    assert request.due_at - request.requested_at == dt.timedelta(days=7)
    call_command("account_deletions_run")
    student.refresh_from_db()
    assert student.legal_name == "孙小梅"
    deletion_request_cancel(request=request, actor=student.user)
    request.refresh_from_db()
    assert request.status == DeletionStatus.CANCELLED
    DeletionRequest.objects.filter(pk=request.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
    call_command("account_deletions_run")
    student.refresh_from_db()
    assert student.legal_name == "孙小梅"


def test_a_request_is_refused_while_an_offer_is_open(world):
    put_in_status(world.b.placement, "completed")
    with pytest.raises(DeletionError) as refused:
        deletion_request_create(user=world.b.student.user)
    assert refused.value.code == "offer_open"


def test_a_placed_student_is_told_their_placement_is_running_not_that_something_is_under_review(world):
    with pytest.raises(DeletionError) as refused:
        deletion_request_create(user=world.a.student.user)
    assert (refused.value.code, str(refused.value.message)) == (
        "placement_running",
        "您的岗位实践尚在进行中，请先联系项目工作人员结束。",
    )


def test_a_request_is_refused_while_an_application_is_under_review():
    application = factories.ApplicationFactory()
    with pytest.raises(DeletionError) as refused:
        deletion_request_create(user=application.student.user)
    assert refused.value.code == "applications_open"


def test_a_student_whose_placement_is_completed_may_ask_for_deletion():
    placement = make_placement(status="completed")
    request = deletion_request_create(user=placement.student.user)
    assert request.status == DeletionStatus.REQUESTED


def test_the_privacy_notice_states_retention_and_self_service_deletion_from_the_settings(client, settings):
    settings.RETENTION_YEARS = 3
    settings.ACCOUNT_DELETION_GRACE_DAYS = 7
    body = client.get(reverse("applicants:privacy")).content.decode()
    assert "未获录用的报名在该届次挂职结束 3 年后匿名化" in body
    assert "注销在申请 7 天后生效" in body
    assert "届次结束；" not in body


def test_the_privacy_page_asks_and_cancels(client):
    student = factories.StudentProfileFactory()
    client.force_login(student.user)
    response = client.post(reverse("privacy:deletion_request"), {"confirm": "yes"})
    assert response.status_code == 302
    request = DeletionRequest.objects.get(user=student.user)
    page = client.get(reverse("privacy:overview"))
    assert 'data-testid="deletion-due"' in page.content.decode()
    client.post(reverse("privacy:deletion_cancel"))
    request.refresh_from_db()
    assert request.status == DeletionStatus.CANCELLED


def test_staff_see_the_requests_in_the_admin(client, staff_user):
    student = factories.StudentProfileFactory()
    deletion_request_create(user=student.user)
    client.force_login(staff_user)
    response = client.get(reverse("admin:placements_deletionrequest_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == list(DeletionRequest.objects.all())


def test_the_privacy_page_states_the_grace_period_and_link_life_from_the_settings(client, settings):
    settings.ACCOUNT_DELETION_GRACE_DAYS = 14
    settings.PERSONAL_DATA_LINK_DAYS = 3
    student = factories.StudentProfileFactory()
    client.force_login(student.user)
    body = client.get(reverse("privacy:overview")).content.decode()
    assert "14天冷静期后" in body
    assert "仅您本人可打开的链接，3天内有效" in body
