"""Stored codes reach people through their labels: histories, audit lists, the outbox."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import translation

from applicants.enums import ApplicationStatus
from applicants.models import ApplicationEvent
from jinseed.audit.models import DataAccess, StatusChange
from jinseed.audit.services import data_access_record
from jinseed.notifications.models import Notification
from placements.cultivation.enums import PlacementEventKind
from placements.models import Offer, PlacementEvent
from tests import factories
from tests.auth import login_verified
from tests.placements.cultivation.helpers import make_placement

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client():
    client = Client(headers={"accept-language": "zh-hans"})
    login_verified(client, factories.StaffFactory(is_superuser=True))
    return client


def test_placement_event_shows_status_grade_and_term_labels():
    placement = make_placement()
    status = PlacementEvent(
        placement=placement, kind=PlacementEventKind.STATUS, from_value="upcoming", to_value="active"
    )
    grade = PlacementEvent(placement=placement, kind=PlacementEventKind.GRADE, from_value="", to_value="excellent")
    term = PlacementEvent(
        placement=placement,
        kind=PlacementEventKind.TERM,
        from_value="short 2020-07-01–2020-08-31",
        to_value="long 2020-07-01–2021-06-30",
    )
    mentor = PlacementEvent(placement=placement, kind=PlacementEventKind.MENTOR, from_value="", to_value="王老师")
    with translation.override("zh-hans"):
        assert (status.from_display, status.to_display) == ("未开始", "进行中")
        assert grade.to_display == "优秀"
        assert (term.from_display, term.to_display) == (
            "短期岗位 2020-07-01–2020-08-31",
            "长期岗位 2020-07-01–2021-06-30",
        )
        assert mentor.to_display == "王老师"


def test_status_change_admin_lists_labels_not_codes(staff_client):
    offer_type = ContentType.objects.get_for_model(Offer)
    StatusChange.objects.create(
        content_type=offer_type, object_id=1, from_status="open", to_status="accepted", at="2026-06-20T10:00+08:00"
    )
    html = staff_client.get(reverse("admin:audit_statuschange_changelist")).content.decode()
    change = StatusChange.objects.get()
    with translation.override("zh-hans"):
        labels = (change.from_label, change.to_label)
    assert labels == (str(dict(Offer._meta.get_field("status").flatchoices)["open"]), "已接受")
    assert f'<td class="field-from_label">{labels[0]}</td>' in html
    assert 'field-to_label">已接受<' in html
    assert ">open<" not in html and ">accepted<" not in html


def test_data_access_subject_is_written_in_the_site_language():
    from django.utils.text import format_lazy
    from django.utils.translation import gettext_lazy as _

    with translation.override("en"):
        record = data_access_record(
            kind=DataAccess.Kind.PERSONAL_DATA,
            actor=None,
            subject=format_lazy(_("Copy of their personal data for account {number}"), number=833),
        )
    assert record.subject == "账户 833 本人的个人数据副本"


def test_outbox_lists_the_kind_label(staff_client):
    student = factories.UserFactory()
    Notification.objects.create(recipient=student, channel="email", kind="offer_made", event_key="offer:1", context={})
    html = staff_client.get(reverse("admin:notifications_notification_changelist")).content.decode()
    assert "已发录用通知</a></th>" in html
    assert ">offer_made<" not in html


def test_preference_change_reads_as_a_move_between_choices():
    event = ApplicationEvent(
        from_status=ApplicationStatus.SUBMITTED, to_status=ApplicationStatus.SUBMITTED, reason="1 → 3"
    )
    moved = ApplicationEvent(
        from_status=ApplicationStatus.SUBMITTED, to_status=ApplicationStatus.WITHDRAWN, reason="改变主意"
    )
    with translation.override("zh-hans"):
        assert (event.summary, event.note) == ("志愿顺序调整：第1志愿 → 第3志愿", "")
        assert (moved.summary, moved.note) == ("已提交 → 已撤回", "改变主意")
