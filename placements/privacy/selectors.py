"""Reads of the privacy page."""

from jinseed.accounts.models import Consent, User
from jinseed.jobs.models import Job

from .services.export import JOB_KIND


def id_number_consent_active(*, user: User) -> bool:
    return Consent.objects.filter(user=user, kind=Consent.Kind.ID_NUMBER, withdrawn_at__isnull=True).exists()


def personal_data_copy_latest(*, user: User) -> Job | None:
    """The newest copy of their data the student asked for (its job), if any."""
    return Job.objects.filter(kind=JOB_KIND, created_by=user).order_by("-created_at", "-id").first()
