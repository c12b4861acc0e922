"""Lock-out counts the account, not the string typed for it."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from jinseed.accounts.lockout import lockout_username, normalize_login
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

URL = "/accounts/login/"


def _fail(client, login, times, ip="10.0.0.1"):
    """Wrong passwords; returns the status codes (the fifth failure already answers 429)."""
    return [
        client.post(URL, {"username": login, "password": "wrong"}, REMOTE_ADDR=ip).status_code for _ in range(times)
    ]


@pytest.mark.parametrize(
    "right_spelling",
    ["STUDENT@Example.CN", "student@example.cn", " Student@example.cn ", "13900001111", "+86 139-0000-1111"],
)
def test_lockout_five_failures_lock_every_spelling_of_the_account(client, right_spelling):
    UserFactory(email="student@example.cn", mobile="13900001111")
    assert _fail(client, "student@example.cn", 5) == [200, 200, 200, 200, 429]
    response = client.post(URL, {"username": right_spelling, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_failures_under_mixed_spellings_add_up(client):
    UserFactory(email="student@example.cn", mobile="13900001111")
    codes = [
        _fail(client, login, 1)[0]
        for login in ["student@example.cn", "STUDENT@example.cn", "13900001111", "+8613900001111", "Student@Example.cn"]
    ]
    assert codes == [200, 200, 200, 200, 429]
    assert list(AccessAttempt.objects.values_list("username", "ip_address", "failures_since_start")) == [
        ("student@example.cn", "10.0.0.1", 5)
    ]
    response = client.post(URL, {"username": "student@example.cn", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429


def test_lockout_four_failures_then_the_right_password_logs_in_and_resets(client):
    user = UserFactory(email="student@example.cn", mobile="13900001111")
    assert _fail(client, "STUDENT@example.cn", 4) == [200, 200, 200, 200]
    response = client.post(URL, {"username": "13900001111", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    assert AccessAttempt.objects.count() == 0


def test_lockout_holds_the_account_from_any_other_address(client):
    UserFactory(email="student@example.cn")
    assert _fail(client, "student@example.cn", 5, ip="10.0.0.1") == [200, 200, 200, 200, 429]
    response = client.post(
        reverse("accounts:login"), {"username": "STUDENT@example.cn", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2"
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_one_students_typos_leave_a_classmate_on_the_same_address_alone(client):
    UserFactory(email="student@example.cn")
    classmate = UserFactory(email="classmate@example.cn")
    _fail(client, "student@example.cn", 5, ip="10.0.0.1")
    response = client.post(URL, {"username": "classmate@example.cn", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == classmate.pk


def test_lockout_an_address_guessing_over_many_accounts_is_locked(client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    target = UserFactory(email="target@example.cn")
    for n in range(6):  # one try per account: no account comes near its own limit of five
        _fail(client, f"user{n}@example.cn", 1, ip="10.9.9.9")
    response = client.post(URL, {"username": "target@example.cn", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    elsewhere = client.post(URL, {"username": "target@example.cn", "password": PASSWORD}, REMOTE_ADDR="10.0.0.7")
    assert elsewhere.status_code == 302
    assert int(client.session["_auth_user_id"]) == target.pk


def test_lockout_unknown_login_is_normalised_too(client):
    _fail(client, "Nobody@Example.cn", 2)
    _fail(client, "+86 139 0000 2222", 1)
    _fail(client, "13900002222", 1)
    assert sorted(AccessAttempt.objects.values_list("username", "failures_since_start")) == [
        ("13900002222", 2),
        ("nobody@example.cn", 2),
    ]


def test_lockout_username_maps_every_spelling_to_the_email(rf):
    UserFactory(email="student@example.cn", mobile="13900001111")
    request = rf.post(URL)
    keys = {
        lockout_username(request, {"username": login})
        for login in ["STUDENT@EXAMPLE.CN", "13900001111", "0086 13900001111", "student@example.cn"]
    }
    assert keys == {"student@example.cn"}
    assert lockout_username(request, {"username": ""}) is None
    assert normalize_login(" 139-0000-1111 ") == "13900001111"


# --- Behind the reverse proxy: the client's address, not the proxy's ------------------------------
PROXY = "10.0.0.2"


def test_lockout_behind_a_trusted_proxy_counts_each_client_on_its_own(client, settings):
    """Thirty students mistyping on thirty machines all arrive from the proxy's address: the
    thirty-first student still logs in, and each failure is kept under its client's address."""
    settings.TRUSTED_PROXIES = [PROXY]
    assert settings.LOGIN_ADDRESS_FAILURE_LIMIT == 30
    student = UserFactory(email="student@example.cn")
    codes = [
        client.post(
            URL,
            {"username": f"user{n}@example.cn", "password": "wrong"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n + 1}",
        ).status_code
        for n in range(30)
    ]
    assert codes == [200] * 30
    assert sorted(AccessAttempt.objects.values_list("ip_address", flat=True)) == sorted(
        f"198.51.100.{n + 1}" for n in range(30)
    )
    response = client.post(
        URL,
        {"username": "student@example.cn", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.200",
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == student.pk


def test_lockout_a_forged_forwarded_header_from_an_untrusted_peer_changes_nothing(client, settings):
    """Without a trusted proxy in between, X-Forwarded-For is the client's own word: one machine
    cannot spread its guesses over made-up addresses."""
    settings.TRUSTED_PROXIES = [PROXY]
    UserFactory(email="target@example.cn")
    for n in range(30):
        client.post(
            URL,
            {"username": f"user{n}@example.cn", "password": "wrong"},
            REMOTE_ADDR="203.0.113.5",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n + 1}",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    response = client.post(
        URL,
        {"username": "target@example.cn", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.5",
        HTTP_X_FORWARDED_FOR="198.51.100.200",
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
