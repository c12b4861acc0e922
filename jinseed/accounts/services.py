"""Every write to accounts that is not a verification code or a consent (``verification.py``,
``consents.py``): creating a student's account and remembering their language."""

from django.conf import settings
from django.db import IntegrityError, transaction

from jinseed.errors import DomainError

from .consents import consent_give
from .enums import Role
from .forms import DUPLICATE_ACCOUNT_MESSAGE
from .models import Consent, User


class AccountError(DomainError):
    pass


def user_register(*, email: str, password: str, mobile: str, language: str) -> User:
    """A student's new account, with their acceptance of the privacy notice in force.

    The form has already refused an email or mobile in use; the same address registered by
    someone else in the same instant is refused here, by the unique constraints.
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


def user_language_set(*, user: User, language: str) -> bool:
    """Remember ``language`` on the account, so that messages arrive in it; ``True`` if it changed."""
    if language not in dict(settings.LANGUAGES) or user.language == language:
        return False
    user.language = language
    user.save(update_fields=["language"])
    return True
