import pytest
from django.core import mail
from django.urls import reverse

from jinseed.accounts.models import User
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


def test_register_creates_student_logs_in_and_goes_to_verify(client):
    response = client.post(reverse("accounts:register"), GOOD)
    assert response.status_code == 302
    assert response.url == reverse("accounts:verify")
    user = User.objects.get(email="new@example.cn")
    assert (user.role, user.mobile) == ("student", "13955550000")
    assert int(client.session["_auth_user_id"]) == user.pk


def test_register_email_any_case_duplicate_refused_with_what_to_do(client):
    UserFactory(email="new@example.cn")
    client.cookies["django_language"] = "en"
    response = client.post(reverse("accounts:register"), {**GOOD, "email": "NEW@Example.CN"})
    assert response.status_code == 400
    assert _errors(response, "email") == ["duplicate_email"]
    body = response.content.decode()
    assert "log in with it" in body
    assert reverse("accounts:password_reset") in body
    assert User.objects.count() == 1


def test_register_mobile_duplicate_refused_whatever_its_spelling(client):
    UserFactory(mobile="13955550000")
    response = client.post(reverse("accounts:register"), {**GOOD, "mobile": "+86 139 5555 0000"})
    assert _errors(response, "mobile") == ["duplicate_mobile"]


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
