"""A cycle with two units: unit A (with its coordinator) and unit B, each with applicants."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from applicants.enums import ApplicationStatus
from applicants.models import Application
from tests import factories

EVIL_NAME = "=cmd|' /C calc'!A0"
SUBMITTED_AT = dt.datetime(2031, 3, 2, 1, 30, tzinfo=dt.UTC)  # 09:30 Beijing time


@dataclass
class ExportWorld:
    cycle: object
    unit_a: object
    unit_b: object
    coordinator: object
    post_a: object
    post_b: object
    evil: object  # application of unit A whose student's name is a formula
    plain: object  # application of unit A, shortlisted
    other: object  # application of unit B
    evil_id: str


@pytest.fixture
def world(cycle) -> ExportWorld:
    unit_a = factories.HostUnitFactory(name="金山区档案局")
    unit_b = factories.HostUnitFactory(name="金山区科技馆")
    coordinator = factories.CoordinatorFactory(unit=unit_a)
    post_a = factories.PostFactory(cycle=cycle, unit=unit_a, title="档案整理助理")
    post_b = factories.PostFactory(cycle=cycle, unit=unit_b, title="读者服务助理")
    evil_id = factories.make_id_number(11)
    evil = factories.ApplicationFactory(
        post=post_a,
        student__legal_name=EVIL_NAME,
        student__id_number=evil_id,
        student__user__mobile="13800001111",
        student__user__email="evil@example.cn",
        student__university="复旦大学",
        student__year_of_study=2,
        student__expected_graduation=dt.date(2034, 6, 30),
        submitted_at=SUBMITTED_AT,
        eligibility=[{"rule": "graduating", "code": "graduating", "severity": "warn"}],
        needs_review=True,
    )
    plain = factories.ApplicationFactory(post=post_a, student__legal_name="王安全", submitted_at=SUBMITTED_AT)
    Application.objects.filter(pk=plain.pk).update(
        status=ApplicationStatus.SHORTLISTED, published_status=ApplicationStatus.SHORTLISTED
    )
    other = factories.ApplicationFactory(post=post_b, student__legal_name="钱外单位", submitted_at=timezone.now())
    return ExportWorld(cycle, unit_a, unit_b, coordinator, post_a, post_b, evil, plain, other, evil_id)


@pytest.fixture
def plain_staff(db):
    """Programme staff who are not superusers (the permission must be granted to them)."""
    return factories.StaffFactory(is_superuser=False, full_name="普通工作人员")


@pytest.fixture
def unmasking_staff(db):
    user = factories.StaffFactory(is_superuser=False, full_name="授权工作人员")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="placements", codename="export_unmasked_id")
    )
    return user
