"""Mobiles in the admin's accounts: masked, and shown in full only with the permission and a
reason, recorded."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from jinseed.audit.models import DataAccess
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def student_user(db):
    return factories.UserFactory(mobile="13812340001", full_name="孙小梅")


def _granted():
    user = factories.StaffFactory(is_superuser=False)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="accounts", codename="view_full_mobile"))
    # The admin's own permissions to browse accounts.
    user.user_permissions.add(Permission.objects.get(content_type__app_label="accounts", codename="view_user"))
    return user


def test_the_user_list_and_page_show_mobiles_masked(client, staff_user, student_user):
    client.force_login(staff_user)

    listing = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    page = client.get(reverse("admin:accounts_user_change", args=[student_user.pk])).content.decode()

    assert "138****0001" in listing and "13812340001" not in listing
    assert "138****0001" in page and "13812340001" not in page


def test_a_superuser_without_the_permission_cannot_see_the_full_mobile(client, staff_user, student_user):
    client.force_login(staff_user)

    response = client.post(
        reverse("admin:accounts_user_mobile", args=[student_user.pk]), {"reason": "核对报名信息需要"}
    )

    assert response.status_code == 403
    assert DataAccess.objects.count() == 0


def test_the_full_mobile_needs_a_reason(client, student_user):
    client.force_login(_granted())

    response = client.post(reverse("admin:accounts_user_mobile", args=[student_user.pk]), {"reason": "看看"})

    assert response.status_code == 400
    assert "13812340001" not in response.content.decode()
    assert DataAccess.objects.count() == 0


def test_the_full_mobile_with_the_permission_and_a_reason_is_shown_and_recorded(client, student_user):
    viewer = _granted()
    client.force_login(viewer)

    response = client.post(
        reverse("admin:accounts_user_mobile", args=[student_user.pk]), {"reason": "电话通知面试时间变更"}
    )

    assert response.status_code == 200
    assert "<strong>13812340001</strong>" in response.content.decode()
    access = DataAccess.objects.get()
    assert (access.kind, access.actor, access.filters, access.masked, access.reason) == (
        DataAccess.Kind.MOBILE_VIEW,
        viewer,
        {"user_id": student_user.pk},
        False,
        "电话通知面试时间变更",
    )
