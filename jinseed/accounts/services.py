"""Every write to accounts that is not a verification code or a consent (``verification.py``,
``consents.py``): registering a student, asking for a password reset, remembering a language."""

import logging
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jinseed.errors import DomainError

from .consents import consent_give
from .enums import Role
from .forms import DUPLICATE_ACCOUNT_MESSAGE
from .models import Consent, User
from .ratelimit import rate_limit_allows

logger = logging.getLogger(__name__)


class AccountError(DomainError):
    pass


def user_register(*, email: str, password: str, mobile: str, language: str) -> User:
    """A student's new account, with their acceptance of the privacy notice in force.

    ``registration_submit`` calls it only for an email and mobile nobody holds; the same address
    registered by someone else in the same instant is refused here, by the unique constraints.
    """
    try:
        with transaction.atomic():
            user: User = User.objects.create_user(
                email=email, password=password, mobile=mobile, role=Role.STUDENT, language=language
            )
            consent_give(user=user, kind=Consent.Kind.PRIVACY_NOTICE)
    except IntegrityError as exc:
        raise AccountError(DUPLICATE_ACCOUNT_MESSAGE, code="duplicate_account") from exc
    return user


def registration_submit(
    *, email: str, password: str, mobile: str, language: str, client_address: str | None
) -> User | None:
    """A registration, answered the same whether or not the email or mobile is taken.

    A new email and mobile make the account (``user_register``) and return it; the caller sends
    its codes. An email or mobile that already belongs to an account makes nothing: its owner
    is told by the outbox that someone tried (at most once an hour), and ``None`` is returned.
    Refused with ``AccountError`` past ``REGISTRATION_IP_PER_HOUR`` from one client address.
    """
    if not rate_limit_allows(action="register", key=client_address, limit=settings.REGISTRATION_IP_PER_HOUR):
        raise AccountError(
            _("Too many accounts were registered from your network in the last hour. Please try again later."),
            code="rate_ip_hour",
        )
    owners = list(User.objects.filter(Q(email__iexact=email) | Q(mobile=mobile)))
    if not owners:
        try:
            return user_register(email=email, password=password, mobile=mobile, language=language)
        except AccountError:
            owners = list(User.objects.filter(Q(email__iexact=email) | Q(mobile=mobile)))  # taken meanwhile
    registration_attempt_notify(owners=owners)
    return None


@transaction.atomic
def registration_attempt_notify(*, owners: Iterable[User], at: datetime | None = None) -> None:
    """Tell each owner that their email or mobile was used to register (once an hour each)."""
    from jinseed.notifications.services import notification_queue

    at = at or timezone.now()
    for owner in owners:
        if not owner.is_active:
            continue
        notification_queue(
            recipient=owner,
            kind="registration_attempt",
            context={"url": reverse("accounts:password_reset"), "attempted_at": at},
            event_key=f"registration-attempt:{timezone.localtime(at):%Y%m%d%H}",
            channels=["email", "sms", "inbox"],
        )


def password_reset_allowed(*, email: str, client_address: str | None) -> str | None:
    """``None`` when a reset mail may go to ``email``; else the message saying why not.

    Counted per target address (whether or not it has an account, so the answer tells
    nothing) and per client address, each per hour.
    """
    if not rate_limit_allows(action="password_reset", key=email, limit=settings.PASSWORD_RESET_TARGET_PER_HOUR):
        return _("Too many reset links were asked for this address in the last hour. Please try again later.")
    if not rate_limit_allows(action="password_reset_ip", key=client_address, limit=settings.PASSWORD_RESET_IP_PER_HOUR):
        return _("Too many reset links were asked for from your network in the last hour. Please try again later.")
    return None


def user_language_set(*, user: User, language: str) -> bool:
    """Remember ``language`` on the account, so that messages arrive in it; ``True`` if it changed."""
    if language not in dict(settings.LANGUAGES) or user.language == language:
        return False
    user.language = language
    user.save(update_fields=["language"])
    return True
