"""Signed one-click unsubscribe links for recurring kinds (RFC 8058 ``List-Unsubscribe``).

The link names the user and the kind, signed with ``SECRET_KEY``; it needs no login, since the
mail provider posts to it on the recipient's behalf, and it carries no date and never expires: a digest read a
year later must still stop with one click. It can only stop one kind by email for that user.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse

from .kinds import RECURRING_KINDS

_SALT = "jinseed.notifications.unsubscribe"


def unsubscribe_url(*, user, kind: str) -> str:
    token = signing.Signer(salt=_SALT).sign_object({"u": user.pk, "k": kind}, compress=True)
    return settings.SITE_URL.rstrip("/") + reverse("notifications:unsubscribe", args=[token])


def unsubscribe_token_read(token: str):
    """``(user, kind)`` of a valid link, or None for a forged, mangled or outdated one."""
    try:
        data = signing.Signer(salt=_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    kind = data.get("k") if isinstance(data, dict) else None
    if kind not in RECURRING_KINDS:
        return None
    user = get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()
    return (user, kind) if user is not None else None
