"""Signing test clients in as a person who passed the second factor.

Staff and coordinators must pass a second factor on every page (``SecondFactorMiddleware``).
The ``client`` fixture (tests/conftest.py) is a ``PortalClient``: its ``force_login`` also
verifies the session for such accounts, as ``django_otp.login`` does after a right code, so
that tests about other things sign in as before. For a plain ``django.test.Client`` call
``login_verified(client, user)``; for a session that has NOT passed the second factor call
``client.force_login(user, verified=False)``.
"""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jinseed.accounts.twofactor import second_factor_required

#: The secret of every test authenticator (hex, as django-otp stores it; RFC 6238's test key).
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"


def totp_device(user, *, key: str = TEST_TOTP_KEY, confirmed: bool = True) -> TOTPDevice:
    """The user's confirmed authenticator (made once, with a known secret)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=confirmed).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", key=key, confirmed=confirmed)
    return device


def totp_code(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    """The code the authenticator shows now (or ``offset_steps`` periods away)."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset_steps)
    return f"{code:0{device.digits}d}"


def verify_session(client: Client, user) -> None:
    """Mark the client's session as having passed the second factor with ``user``'s device."""
    device = totp_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def login_verified(client: Client, user) -> None:
    client.force_login(user)
    if second_factor_required(user):
        verify_session(client, user)


class PortalClient(Client):
    def force_login(self, user, backend=None, *, verified: bool = True):
        super().force_login(user, backend)
        if verified and second_factor_required(user):
            verify_session(self, user)
