"""One lock-out key per account, whatever spelling of it was typed.

A student logs in with an email address in any case or with a mobile number in any of its
spellings (``+86 139…``, with spaces or dashes). django-axes counts failures per username
string, so without this the five wrong passwords on ``student@…`` would not lock
``STUDENT@…`` or the mobile number of the same account. ``AXES_USERNAME_CALLABLE`` points
here: every spelling of an existing account becomes its stored (lower-case) email, and a
login that names no account is normalised the same way, so guessing at it is counted once.
"""

import datetime as dt

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import timezone

from jinseed.clientaddr import client_address

from .validators import normalize_mobile

_CACHE_ATTRIBUTE = "_jinseed_lockout_keys"


def normalize_login(login: str) -> str:
    """The spelling-independent form of a typed login (email lower-cased, mobile bare)."""
    login = (login or "").strip()
    if "@" in login:
        return login.lower()
    return normalize_mobile(login)


def lockout_username(request, credentials: dict | None = None) -> str | None:
    """The key django-axes counts failures under: the account's email, or the normalised
    login when it names no account. Memoised on the request (axes asks several times)."""
    from django.conf import settings

    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials is not None:
        typed = credentials.get(field)
    elif request is not None:
        typed = getattr(request, "data", request.POST).get(field)
    else:
        typed = None
    if not typed or not isinstance(typed, str):
        return None
    cache = getattr(request, _CACHE_ATTRIBUTE, None) if request is not None else None
    if cache is not None and typed in cache:
        return cache[typed]
    user_model = get_user_model()
    try:
        key = user_model.objects.get_by_login(typed).email.lower()
    except (user_model.DoesNotExist, user_model.MultipleObjectsReturned):
        key = normalize_login(typed)
    if request is not None:
        if cache is None:
            cache = {}
            setattr(request, _CACHE_ATTRIBUTE, cache)
        cache[typed] = key
    return key


class AccountAndAddressHandler(AxesDatabaseHandler):
    """django-axes' database handler, locking per account *and* per address.

    ``AXES_LOCKOUT_PARAMETERS = ["username"]`` locks an account after ``AXES_FAILURE_LIMIT``
    wrong passwords from anywhere, so spreading guesses over many addresses does not help. An
    address is locked too, but only after ``LOGIN_ADDRESS_FAILURE_LIMIT`` failures over every
    account within the cool-off time: a campus or a mobile network puts hundreds of students
    behind one address, and one student's typos must not lock their classmates out, while
    one machine trying password after password on many accounts is stopped.
    """

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        """Count the failure as axes does; answer with the lock-out page once the address,
        not only the account, has reached its limit."""
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is not None and address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            request.axes_locked_out = True


def address_failures(request) -> int:
    """Failed logins from the request's address within the cool-off time, over every account."""
    address = getattr(request, "axes_ip_address", None) or client_address(request)
    if not address:
        return 0
    since = timezone.now() - (get_cool_off(request) or dt.timedelta(0))
    total = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return total or 0
