"""Registration proves the mobile number with a code read from the SMS backend's record."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applicants.services import ApplicationError, application_submit
from jinseed.accounts.models import ContactVerification, User
from jinseed.accounts.verification import VerificationError, verification_confirm, verification_send
from tests import factories

pytestmark = pytest.mark.django_db

SIGN_UP = {
    "email": "new@example.cn",
    "mobile": "13955550000",
    "password1": "Jinshan-Seed-42",
    "password2": "Jinshan-Seed-42",
    "privacy": "on",
}


def _code(text: str) -> str:
    return re.search(r"(?<!\d)(\d{6})(?!\d)", text).group(1)


def _register(client, capture):
    with capture(execute=True):
        response = client.post(reverse("accounts:register"), SIGN_UP)
    assert response.status_code == 302
    user = User.objects.get(email="new@example.cn")
    client.force_login(user)  # as after the registration's own code page; the verify page is tested here
    return user


def test_register_sends_a_code_by_sms_and_by_email_and_stores_only_hashes(
    client, sms_outbox, django_capture_on_commit_callbacks
):
    user = _register(client, django_capture_on_commit_callbacks)
    assert [mobile for mobile, _ in sms_outbox] == ["13955550000"]
    sms_code = _code(sms_outbox[0][1])
    assert [m.to for m in mail.outbox] == [["new@example.cn"]]
    email_code = _code(mail.outbox[0].body)
    rows = list(ContactVerification.objects.filter(user=user).order_by("channel"))
    assert [(r.channel, r.target) for r in rows] == [("email", "new@example.cn"), ("sms", "13955550000")]
    for row, code in zip(rows, [email_code, sms_code], strict=True):
        assert code not in row.code_hash
        assert row.code_hash.startswith("hmac-sha256$") and len(row.code_hash) == len("hmac-sha256$") + 64
        assert row.expires_at - row.created_at == dt.timedelta(minutes=10)
    assert (user.mobile_verified_at, user.email_verified_at) == (None, None)


def test_code_from_the_sms_verifies_the_mobile_and_opens_applying(
    client, sms_outbox, django_capture_on_commit_callbacks
):
    user = _register(client, django_capture_on_commit_callbacks)
    post = factories.PostFactory(cycle=factories.CycleFactory(year=timezone.localdate().year))
    factories.StudentProfileFactory(user=user)
    with pytest.raises(ApplicationError) as refused:
        application_submit(
            student=user.student_profile, post=post, preference_rank=1, statement="想参加", submit_token="t1"
        )
    assert refused.value.code == "mobile_unverified"
    page = client.get(reverse("applicants:apply", args=[post.pk]))
    assert page.status_code == 200
    assert 'data-testid="mobile-unverified"' in page.content.decode()
    assert 'id="application-form"' not in page.content.decode()

    response = client.post(reverse("accounts:verify"), {"action": "confirm_sms", "sms-code": _code(sms_outbox[0][1])})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.mobile_verified_at is not None
    application = application_submit(
        student=user.student_profile, post=post, preference_rank=1, statement="想参加", submit_token="t2"
    )
    assert application.pk is not None


def test_wrong_code_five_times_locks_it_even_for_the_right_code(client, sms_outbox, django_capture_on_commit_callbacks):
    user = _register(client, django_capture_on_commit_callbacks)
    right = _code(sms_outbox[0][1])
    wrong = "000000" if right != "000000" else "111111"
    codes = []
    for _ in range(5):
        with pytest.raises(VerificationError) as refused:
            verification_confirm(user=user, channel="sms", code=wrong)
        codes.append(refused.value.code)
    assert codes == ["wrong_code"] * 4 + ["locked"]
    with pytest.raises(VerificationError) as refused:
        verification_confirm(user=user, channel="sms", code=right)
    assert refused.value.code == "locked"
    user.refresh_from_db()
    assert user.mobile_verified_at is None


def test_expired_code_is_refused(client, sms_outbox, django_capture_on_commit_callbacks):
    user = _register(client, django_capture_on_commit_callbacks)
    ContactVerification.objects.filter(user=user).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.post(reverse("accounts:verify"), {"action": "confirm_sms", "sms-code": _code(sms_outbox[0][1])})
    assert response.status_code == 400
    assert response.context["sms_form"].non_field_errors() == ["此验证码已过期，请重新获取。"]
    user.refresh_from_db()
    assert user.mobile_verified_at is None


def test_a_new_code_within_a_minute_is_refused_with_a_message(client, sms_outbox, django_capture_on_commit_callbacks):
    _register(client, django_capture_on_commit_callbacks)
    response = client.post(reverse("accounts:verify"), {"action": "resend_sms"})
    assert response.status_code == 400
    assert [str(m) for m in response.context["messages"]][-1].startswith("验证码刚刚发出")
    assert len(sms_outbox) == 1


def test_at_most_five_codes_an_hour_per_number(sms_outbox, django_capture_on_commit_callbacks):
    user = factories.UserFactory(mobile_verified_at=None)
    now = timezone.now()
    for minutes in (50, 40, 30, 20, 10):
        ContactVerification.objects.create(
            user=user,
            channel="sms",
            target=user.mobile,
            code_hash="x",
            created_at=now - dt.timedelta(minutes=minutes),
            expires_at=now,
        )
    with pytest.raises(VerificationError) as refused:
        verification_send(user=user, channel="sms")
    assert refused.value.code == "rate_target_hour"


def test_at_most_twenty_codes_an_hour_per_ip_address():
    now = timezone.now()
    for n in range(20):
        other = factories.UserFactory()
        ContactVerification.objects.create(
            user=other,
            channel="sms",
            target=other.mobile,
            code_hash="x",
            ip_address="203.0.113.9",
            created_at=now - dt.timedelta(minutes=n + 1),
            expires_at=now,
        )
    with pytest.raises(VerificationError) as refused:
        verification_send(user=factories.UserFactory(), channel="sms", ip_address="203.0.113.9")
    assert refused.value.code == "rate_ip_hour"


def test_changing_the_mobile_takes_the_new_number_only_once_verified(
    client, sms_outbox, django_capture_on_commit_callbacks
):
    user = factories.UserFactory(mobile="13900000001")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:verify"), {"action": "change_mobile", "mobile-mobile": "13900000002"})
    user.refresh_from_db()
    assert (user.mobile, user.mobile_is_verified) == ("13900000001", True)
    assert [m for m, _ in sms_outbox] == ["13900000002"]
    client.post(reverse("accounts:verify"), {"action": "confirm_sms", "sms-code": _code(sms_outbox[0][1])})
    user.refresh_from_db()
    assert (user.mobile, user.mobile_is_verified) == ("13900000002", True)


def test_changing_the_email_takes_it_once_the_emailed_code_is_confirmed(client, django_capture_on_commit_callbacks):
    user = factories.UserFactory(email="old@example.cn")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:verify"), {"action": "change_email", "newemail-email": "New@Example.cn"})
    user.refresh_from_db()
    assert user.email == "old@example.cn"
    assert [m.to for m in mail.outbox] == [["new@example.cn"]]
    client.post(reverse("accounts:verify"), {"action": "confirm_email", "email-code": _code(mail.outbox[0].body)})
    user.refresh_from_db()
    assert (user.email, user.email_verified_at is not None) == ("new@example.cn", True)


class _DownGateway:
    def send(self, mobile, text):
        from jinseed.notifications.errors import TransientDeliveryError

        raise TransientDeliveryError("gateway down")


def test_a_gateway_failure_does_not_break_the_page_and_a_new_code_can_be_asked(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "tests.accounts.test_verification._DownGateway"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:register"), SIGN_UP)
    assert response.status_code == 302
    assert ContactVerification.objects.filter(channel="sms").count() == 1


def test_the_per_address_limit_counts_real_clients_behind_the_proxy(client, settings, sms_outbox):
    """Behind the trusted proxy every request comes from its address: the limit counts the
    client the proxy names, so one busy machine does not silence the whole district."""
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    settings.VERIFICATION_IP_PER_HOUR = 2

    def resend(forwarded_for):
        client.force_login(factories.UserFactory(mobile_verified_at=None))
        return client.post(
            reverse("accounts:verify"),
            {"action": "resend_sms"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    assert [resend("198.51.100.7").status_code for _ in range(3)] == [302, 302, 400]
    assert resend("198.51.100.8").status_code == 302
    assert list(ContactVerification.objects.order_by("pk").values_list("ip_address", flat=True)) == [
        "198.51.100.7",
        "198.51.100.7",
        "198.51.100.8",
    ]


def test_a_code_hashed_before_the_keyed_hash_still_verifies(sms_outbox):
    from django.contrib.auth.hashers import make_password

    user = factories.UserFactory(mobile_verified_at=None)
    verification = verification_send(user=user, channel="sms")
    ContactVerification.objects.filter(pk=verification.pk).update(code_hash=make_password("123456"))
    verification_confirm(user=user, channel="sms", code="123456")
    user.refresh_from_db()
    assert user.mobile_verified_at is not None
