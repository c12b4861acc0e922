"""Consent records: giving, withdrawing, and which are in force.

What a withdrawal *does* beyond the record (the ID number removed from the profile) belongs
to the app that holds the data (``applicants.privacy.services``).
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Consent, User


@transaction.atomic
def consent_give(*, user: User, kind: str, version: str | None = None, at=None) -> Consent:
    """Record ``user``'s consent of ``kind`` to ``version`` (the current notice by default);
    a consent already in force for that version is returned as it is."""
    version = version or settings.PRIVACY_NOTICE_VERSION
    existing = Consent.objects.filter(user=user, kind=kind, version=version, withdrawn_at__isnull=True).first()
    if existing is not None:
        return existing
    return Consent.objects.create(user=user, kind=kind, version=version, given_at=at or timezone.now())


@transaction.atomic
def consent_withdraw(*, user: User, kind: str, at=None) -> int:
    """Withdraw every consent of ``kind`` in force; returns how many were."""
    return Consent.objects.filter(user=user, kind=kind, withdrawn_at__isnull=True).update(
        withdrawn_at=at or timezone.now()
    )


def consent_list(*, user: User):
    return Consent.objects.filter(user=user).order_by("kind", "-given_at", "-id")


def consent_in_force(*, user: User, kind: str) -> Consent | None:
    return Consent.objects.filter(user=user, kind=kind, withdrawn_at__isnull=True).order_by("-given_at").first()
