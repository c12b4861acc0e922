"""The demo's staff and coordinator sign in with password and a known authenticator secret."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import TOTP

from jinseed.accounts.models import User
from jinseed.accounts.roles import PROGRAMME_STAFF_GROUP, programme_staff_permissions
from jinseed.devtools.demo.accounts import DEMO_TOTP_SECRETS
from jinseed.devtools.demo.data import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo(demo_seeded):
    return demo_seeded


def demo_totp(login: str) -> str:
    out = io.StringIO()
    call_command("demo_totp", login, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_demo_staff_is_programme_staff_not_a_superuser():
    staff = User.objects.get(email="staff@jinseed.demo")
    assert not staff.is_superuser
    assert list(staff.groups.values_list("name", flat=True)) == [PROGRAMME_STAFF_GROUP]
    group = Group.objects.get(name=PROGRAMME_STAFF_GROUP)
    assert set(group.permissions.all()) == set(programme_staff_permissions())
    assert not User.objects.filter(is_superuser=True).exists()


def test_demo_totp_prints_the_code_of_the_known_secret():
    from base64 import b32decode

    code = demo_totp("staff@jinseed.demo")
    expected = TOTP(b32decode(DEMO_TOTP_SECRETS["staff@jinseed.demo"]))
    assert len(code) == 6
    # The code of this period or, at a period's edge, of the next one.
    assert int(code) in {expected.token(), TOTP(expected.key, drift=1).token()}


@pytest.mark.parametrize(
    ("login", "page"), [("staff@jinseed.demo", "/office/"), ("coordinator@jinseed.demo", "/unit/")]
)
def test_demo_accounts_sign_in_with_password_and_code(client, login, page):
    response = client.post(reverse("accounts:login") + f"?next={page}", {"username": login, "password": DEMO_PASSWORD})
    assert response["Location"] == page
    verify = client.get(page)
    assert verify["Location"] == f"{reverse('accounts:two_factor_verify')}?next={page}"
    done = client.post(reverse("accounts:two_factor_verify"), {"code": demo_totp(login), "next": page})
    assert done["Location"] == page
    assert client.get(page).status_code == 200


def test_demo_staff_uses_the_admin_within_the_group_permissions(client):
    client.force_login(User.objects.get(email="staff@jinseed.demo"))
    assert client.get(reverse("admin:positions_cycle_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert client.get(reverse("admin:otp_totp_totpdevice_changelist")).status_code == 403
