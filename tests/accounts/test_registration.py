import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from jinseed.accounts.models import User
from jinseed.notifications.models import Notification
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "email": "new@example.cn",
    "mobile": "13955550000",
    "password1": "Jinshan-Seed-42",
    "password2": "Jinshan-Seed-42",
    "privacy": "on",
}


def _errors(response, field):
    return [e.code for e in response.context["form"].errors.as_data().get(field, [])]


def _register(client, data, capture, address="203.0.113.7"):
    with capture(execute=True):
        return client.post(reverse("accounts:register"), data, REMOTE_ADDR=address)


def _code(text: str) -> str:
    return re.search(r"(?<!\d)(\d{6})(?!\d)", text).group(1)


def test_register_creates_student_and_the_sms_code_logs_in(client, sms_outbox, django_capture_on_commit_callbacks):
    response = _register(client, GOOD, django_capture_on_commit_callbacks)
    assert (response.status_code, response.url) == (302, reverse("accounts:register_code"))
    user = User.objects.get(email="new@example.cn")
    assert (user.role, user.mobile) == ("student", "13955550000")
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("accounts:register_code")).content.decode()
    assert "139****0000" in page

    response = client.post(reverse("accounts:register_code"), {"sms-code": _code(sms_outbox[0][1])})

    assert (response.status_code, response.url) == (302, reverse("accounts:verify"))
    assert int(client.session["_auth_user_id"]) == user.pk
    user.refresh_from_db()
    assert user.mobile_verified_at is not None


@pytest.mark.parametrize(
    "taken",
    [{"email": "NEW@Example.CN"}, {"mobile": "+86 139 5555 0000"}],
    ids=["email-any-case", "mobile-any-spelling"],
)
def test_register_answers_the_same_for_a_taken_email_or_mobile(
    client, sms_outbox, django_capture_on_commit_callbacks, taken
):
    owner = UserFactory(email="new@example.cn", mobile="13955550000", language="zh-hans")
    fresh = Client()
    new = _register(
        fresh, {**GOOD, "email": "other@example.cn", "mobile": "13955551111"}, django_capture_on_commit_callbacks
    )
    sms_outbox.clear()
    mail.outbox.clear()

    response = _register(client, {**GOOD, **taken}, django_capture_on_commit_callbacks)

    assert (response.status_code, response.url) == (new.status_code, new.url)
    page = client.get(reverse("accounts:register_code")).content.decode()
    fresh_page = fresh.get(reverse("accounts:register_code")).content.decode()
    assert _without_tokens(page) == _without_tokens(fresh_page).replace("139****1111", "139****0000")
    assert User.objects.filter(email__in=["new@example.cn", "other@example.cn"]).count() == 2
    # No code went out; the owner was told instead, by the outbox.
    told = Notification.objects.filter(recipient=owner, kind="registration_attempt")
    assert sorted(told.values_list("channel", flat=True)) == ["email", "inbox"]  # SMS as the owner chose
    assert all(m.to == ["new@example.cn"] for m in mail.outbox)
    assert "有人尝试用您的邮箱或手机号注册" in mail.outbox[0].subject
    # A code typed on the page is wrong, as it would be for a new account.
    wrong = client.post(reverse("accounts:register_code"), {"sms-code": "123456"})
    assert wrong.context["form"].non_field_errors() == ["验证码错误，还可尝试4次。"]
    assert "_auth_user_id" not in client.session


def _without_tokens(html: str) -> str:
    return re.sub(r'(csrfmiddlewaretoken" value=|nonce=)"[^"]*"', "", html)


def test_registrations_per_client_address_are_limited(client, settings, django_capture_on_commit_callbacks):
    settings.REGISTRATION_IP_PER_HOUR = 2
    for n in range(2):
        response = _register(
            Client(),
            {**GOOD, "email": f"s{n}@example.cn", "mobile": f"1395555000{n}"},
            django_capture_on_commit_callbacks,
        )
        assert response.status_code == 302

    refused = _register(
        client, {**GOOD, "email": "s9@example.cn", "mobile": "13955550009"}, django_capture_on_commit_callbacks
    )
    other_network = _register(
        Client(),
        {**GOOD, "email": "s8@example.cn", "mobile": "13955550008"},
        django_capture_on_commit_callbacks,
        "198.51.100.9",
    )

    assert refused.status_code == 400
    assert refused.context["form"].non_field_errors() == ["过去一小时内从您的网络注册的账号过多，请稍后再试。"]
    assert not User.objects.filter(email="s9@example.cn").exists()
    assert other_network.status_code == 302


def test_password_reset_mails_per_address_are_limited(client, settings):
    settings.PASSWORD_RESET_TARGET_PER_HOUR = 3
    UserFactory(email="stu@example.cn")
    statuses = [
        client.post(
            reverse("accounts:password_reset"), {"email": "stu@example.cn"}, REMOTE_ADDR=f"198.51.100.{n}"
        ).status_code
        for n in range(5)
    ]
    assert statuses == [302, 302, 302, 429, 429]
    assert len(mail.outbox) == 3


def test_password_reset_for_an_unknown_address_is_limited_the_same(client, settings):
    settings.PASSWORD_RESET_TARGET_PER_HOUR = 1
    statuses = [
        client.post(reverse("accounts:password_reset"), {"email": "nobody@example.cn"}).status_code for _ in range(2)
    ]
    assert statuses == [302, 429]
    assert len(mail.outbox) == 0


def test_password_reset_mails_per_client_address_are_limited(client, settings):
    settings.PASSWORD_RESET_IP_PER_HOUR = 2
    for n in range(3):
        UserFactory(email=f"s{n}@example.cn")
    statuses = [
        client.post(
            reverse("accounts:password_reset"), {"email": f"s{n}@example.cn"}, REMOTE_ADDR="203.0.113.5"
        ).status_code
        for n in range(3)
    ]
    response = client.post(reverse("accounts:password_reset"), {"email": "s0@example.cn"}, REMOTE_ADDR="203.0.113.5")
    assert statuses == [302, 302, 429]
    assert response.context["form"].non_field_errors() == ["过去一小时内从您的网络申请的重置链接过多，请稍后再试。"]
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short1", "password_too_short"),
        ("12345678901", "password_entirely_numeric"),
        ("password123", "password_too_common"),
    ],
)
def test_register_password_validators_apply(client, password, code):
    response = client.post(reverse("accounts:register"), {**GOOD, "password1": password, "password2": password})
    assert code in _errors(response, "password1")


def test_register_password_mismatch(client):
    response = client.post(reverse("accounts:register"), {**GOOD, "password2": "Other-Seed-42"})
    assert _errors(response, "password2") == ["password_mismatch"]


def test_register_invalid_mobile(client):
    response = client.post(reverse("accounts:register"), {**GOOD, "mobile": "12345"})
    assert _errors(response, "mobile") == ["invalid_mobile"]


def test_password_reset_sends_link_that_sets_new_password(client):
    user = UserFactory(email="stu@example.cn")
    response = client.post(reverse("accounts:password_reset"), {"email": "STU@example.cn"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["stu@example.cn"]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "New-Golden-Seed-7", "new_password2": "New-Golden-Seed-7"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("New-Golden-Seed-7")


def test_axes_locks_username_on_one_address_not_the_whole_campus(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(email="victim@example.cn")
    UserFactory(email="classmate@example.cn")
    url = reverse("accounts:login")
    for _ in range(3):
        client.post(url, {"username": "victim@example.cn", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    locked = client.post(url, {"username": "victim@example.cn", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert locked.status_code == 429
    # A classmate behind the same campus address still logs in.
    ok = client.post(url, {"username": "classmate@example.cn", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert ok.status_code == 302
