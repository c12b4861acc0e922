"""Signed-in sessions for the benches, written straight into the session store.

A bench that measures pages behind a sign-in (a coordinator's applicant list, a student's
application form) needs sessions exactly like the ones a real sign-in leaves, including the
second factor and the privacy notice already settled, so that no request of the run writes
the session. They are made here in the database of the settings the bench runs with, which
must be the server's (the same ``DATABASE_URL`` and ``SECRET_KEY``, which signs them).
"""

import datetime as dt
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from jinseed.accounts.middleware import OPTIONAL_SECOND_FACTOR_KEY
from jinseed.accounts.middleware import SESSION_KEY as PRIVACY_SESSION_KEY
from jinseed.accounts.models import User
from jinseed.accounts.twofactor import confirmed_totp_device

BACKEND = "jinseed.accounts.backends.EmailOrMobileBackend"
#: The benches' session keys start with this (session keys are 32 letters and digits).
SESSION_PREFIX = "benchsession"
#: The name of an authenticator device made for a bench sign-in (deleted after the run).
BENCH_DEVICE_NAME = "bench sign-in"


def session_key_new() -> str:
    return SESSION_PREFIX + secrets.token_hex(16 - len(SESSION_PREFIX) // 2)


def session_data(user: User, *, device: TOTPDevice | None = None) -> dict:
    """What a completed sign-in of ``user`` leaves in the session: with ``device``, the second
    factor passed on it; without, a student who has none."""
    data = {
        SESSION_KEY: str(user.pk),
        BACKEND_SESSION_KEY: BACKEND,
        HASH_SESSION_KEY: user.get_session_auth_hash(),
        PRIVACY_SESSION_KEY: settings.PRIVACY_NOTICE_VERSION,
        OPTIONAL_SECOND_FACTOR_KEY: device is not None,
    }
    if device is not None:
        data[DEVICE_ID_SESSION_KEY] = device.persistent_id
    return data


@contextmanager
def signed_in(email: str) -> Iterator[str]:
    """A ``Cookie`` header value for a session of the existing user ``email``, with the second
    factor passed (on their authenticator, or on one made for the run if they have none);
    the session and any such device are deleted on leaving."""
    user = User.objects.get(email__iexact=email)
    device = confirmed_totp_device(user)
    made = None
    if device is None:
        device = made = TOTPDevice.objects.create(user=user, name=BENCH_DEVICE_NAME, confirmed=True)
    key = session_key_new()
    Session.objects.create(
        session_key=key,
        session_data=SessionStore().encode(session_data(user, device=device)),
        expire_date=timezone.now() + dt.timedelta(days=1),
    )
    try:
        yield f"{settings.SESSION_COOKIE_NAME}={key}"
    finally:
        Session.objects.filter(session_key=key).delete()
        if made is not None:
            made.delete()
