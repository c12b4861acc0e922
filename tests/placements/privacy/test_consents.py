"""Consents on the privacy page; withdrawing the ID-number consent; a new notice version."""

import pytest
from django.urls import reverse
from django.utils import timezone

from applicants.services import ApplicationError, application_submit
from jinseed.accounts.models import Consent
from tests import factories

pytestmark = pytest.mark.django_db


def test_privacy_page_lists_consents_with_version_and_time(client):
    student = factories.StudentProfileFactory()
    client.force_login(student.user)
    response = client.get(reverse("privacy:overview"))
    assert response.status_code == 200
    assert [(c.kind, c.version) for c in response.context["consents"]] == [
        ("id_number", "2026-1"),
        ("privacy_notice", "2026-1"),
    ]
    assert "处理居民身份证号码（敏感个人信息）" in response.content.decode()


def test_withdrawing_the_id_number_consent_removes_the_number_and_stops_applying(client):
    student = factories.StudentProfileFactory()
    client.force_login(student.user)
    response = client.post(reverse("privacy:id_consent_withdraw"), {"confirm": "yes"})
    assert response.status_code == 302
    student.refresh_from_db()
    assert (student.id_number_encrypted, student.id_number_digest, student.id_number_masked) == ("", None, "")
    assert student.consent_at is None
    consent = Consent.objects.get(user=student.user, kind=Consent.Kind.ID_NUMBER)
    assert consent.withdrawn_at is not None
    with pytest.raises(ApplicationError) as refused:
        application_submit(
            student=student,
            post=factories.PostFactory(cycle=factories.CycleFactory(year=timezone.localdate().year)),
            preference_rank=1,
            statement="再申请",
            submit_token="t",
        )
    assert refused.value.code == "consent_required"
    page = client.get(reverse("privacy:overview")).content.decode()
    assert "撤回我的身份证号码同意" not in page


def test_withdrawal_needs_the_box_ticked(client):
    student = factories.StudentProfileFactory()
    client.force_login(student.user)
    client.post(reverse("privacy:id_consent_withdraw"))
    student.refresh_from_db()
    assert student.has_id_number


def test_a_new_notice_version_is_asked_for_at_the_next_login_until_accepted(client, settings):
    student = factories.StudentProfileFactory()
    settings.PRIVACY_NOTICE_VERSION = "2027-1"
    client.force_login(student.user)
    response = client.get(reverse("applicants:my_applications"))
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:privacy_consent')}?next=/my/applications/"
    assert client.get(reverse("accounts:privacy_consent")).status_code == 200
    accepted = client.post(reverse("accounts:privacy_consent"), {"accept": "yes", "next": "/my/applications/"})
    assert accepted.url == "/my/applications/"
    assert client.get(reverse("applicants:my_applications")).status_code == 200
    assert Consent.objects.filter(user=student.user, kind="privacy_notice", version="2027-1").count() == 1


def test_staff_are_not_held_by_the_notice_question(client, staff_user, settings):
    settings.PRIVACY_NOTICE_VERSION = "2027-1"
    client.force_login(staff_user)
    assert client.get(reverse("home")).status_code == 200
