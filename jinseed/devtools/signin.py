"""A test client signed in as a person who passed the second factor, for the benchmarks.

Staff and coordinators pass a second factor on every page (``SecondFactorMiddleware``); the
benchmarks measure their pages as such a session sees them (django-otp's device read
included), so the client's session is marked verified the way ``django_otp.login`` marks it.
"""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from jinseed.accounts.models import User
from jinseed.accounts.twofactor import second_factor_required


def verified_client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="jinseed.accounts.backends.EmailOrMobileBackend")
    if second_factor_required(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
