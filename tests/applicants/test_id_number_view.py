"""The one audited staff view of a clear ID number (admin, separate permission, a reason)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from jinseed.audit.models import DataAccess
from tests import factories

pytestmark = pytest.mark.django_db


def _url(profile):
    return reverse("admin:applicants_studentprofile_id_number", args=[profile.pk])


def _grant(user):
    user.user_permissions.add(Permission.objects.get(codename="view_id_number"))


def test_a_superuser_without_the_permission_is_refused(client, staff_user, student):
    client.force_login(staff_user)
    assert client.get(_url(student)).status_code == 403
    assert DataAccess.objects.count() == 0


def test_the_number_is_shown_only_with_a_reason_and_the_look_is_recorded(client, staff_user):
    profile = factories.StudentProfileFactory(id_number=factories.make_id_number(77))
    _grant(staff_user)
    client.force_login(staff_user)
    page = client.get(_url(profile))
    assert page.status_code == 200
    assert profile.id_number not in page.content.decode()
    refused = client.post(_url(profile), {"reason": "short"})
    assert refused.status_code == 400
    assert DataAccess.objects.count() == 0
    shown = client.post(_url(profile), {"reason": "报到核验身份，学生本人在场"})
    assert shown.status_code == 200
    assert profile.id_number in shown.content.decode()
    record = DataAccess.objects.get()
    assert (record.kind, record.actor, record.subject, record.masked, record.reason) == (
        DataAccess.Kind.ID_NUMBER_VIEW,
        staff_user,
        f"{profile.legal_name}的身份证号（学生档案 {profile.pk}）",
        False,
        "报到核验身份，学生本人在场",
    )
    log = client.get(reverse("admin:audit_dataaccess_changelist"))
    assert list(log.context["cl"].result_list) == [record]


def test_the_profile_page_links_to_the_view(client, staff_user, student):
    client.force_login(staff_user)
    page = client.get(reverse("admin:applicants_studentprofile_change", args=[student.pk]))
    assert _url(student) in page.content.decode()


def test_a_student_never_reaches_it(client, student):
    client.force_login(student.user)
    assert client.get(_url(student)).status_code == 302
