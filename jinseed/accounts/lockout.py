"""One lock-out key per account, whatever spelling of it was typed.

A student logs in with an email address in any case or with a mobile number in any of its
spellings (``+86 139…``, with spaces or dashes). django-axes counts failures per username
string, so without this the five wrong passwords on ``student@…`` would not lock
``STUDENT@…`` or the mobile number of the same account. ``AXES_USERNAME_CALLABLE`` points
here: every spelling of an existing account becomes its stored (lower-case) email, and a
login that names no account is normalised the same way, so guessing at it is counted once.
"""

from django.contrib.auth import get_user_model

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
