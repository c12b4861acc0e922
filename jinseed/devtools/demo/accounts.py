"""The demo's sign-in: programme staff in their permission group, and authenticators with
known secrets so that a visitor can pass the second factor (docs/demo.md).

The secrets are public on purpose: demo data only, never for a real portal. ``manage.py
demo_totp <login>`` prints an account's current code for a visitor without an authenticator app.
"""

from base64 import b32decode

from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from jinseed.accounts.models import User
from jinseed.accounts.roles import PROGRAMME_STAFF_GROUP, role_groups_setup

#: login → the authenticator secret (base32, as typed into an app).
DEMO_TOTP_SECRETS = {
    "staff@jinseed.demo": "GOLDENSEEDSTAFFDEMOJINSHANSTAFF2",
    "coordinator@jinseed.demo": "GOLDENSEEDCOORDDEMOJINSHANUNIT22",
}


def demo_sign_in_setup(*, staff: User) -> None:
    """The programme staff group (as ``manage.py setup_roles`` makes it) with the demo staff in
    it, and a confirmed authenticator with a fixed secret on each account of DEMO_TOTP_SECRETS."""
    role_groups_setup()
    staff.groups.add(Group.objects.get(name=PROGRAMME_STAFF_GROUP))
    for login, secret in DEMO_TOTP_SECRETS.items():
        user = User.objects.get(email=login)
        TOTPDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(user=user, name="authenticator", key=b32decode(secret).hex(), confirmed=True)
