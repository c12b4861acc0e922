import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("login", ["13900001111", "Stu@Example.CN", "stu@example.cn", "+86 139 0000 1111"])
def test_login_by_mobile_or_email(client, login):
    user = UserFactory(email="stu@example.cn", mobile="13900001111")
    response = client.post(reverse("accounts:login"), {"username": login, "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_login_wrong_password_says_so(client):
    UserFactory(email="stu@example.cn")
    response = client.post(reverse("accounts:login"), {"username": "stu@example.cn", "password": "nope"})
    assert response.status_code == 200
    assert "不匹配" in response.content.decode()


def test_email_is_unique_whatever_the_case(db):
    from django.db import IntegrityError, transaction

    UserFactory(email="a@example.cn")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="A@Example.cn")


# --- SECRET_KEY rotation ------------------------------------------------------------------------
@pytest.mark.parametrize(("old_key_kept", "signed_in"), [(True, True), (False, False)])
def test_sessions_survive_a_secret_key_rotation_with_the_old_key_in_the_fallbacks(
    client, settings, old_key_kept, signed_in
):
    """A new SECRET_KEY with the old one in SECRET_KEY_FALLBACKS signs nobody out; without
    the fallback every session ends (what a key leak calls for)."""
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("accounts:verify")).status_code == 200
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-brand-new-secret-key-after-rotation-0123456789"
    settings.SECRET_KEY_FALLBACKS = [old_key] if old_key_kept else []
    response = client.get(reverse("accounts:verify"))
    assert (response.status_code == 200) is signed_in
    assert (response.wsgi_request.user == user) is signed_in
