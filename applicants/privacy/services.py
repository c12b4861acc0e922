"""What a student's privacy choices do to the data the applicants app holds."""

from django.db import transaction

from jinseed.accounts.consents import consent_withdraw
from jinseed.accounts.models import Consent, User

from ..models import StudentProfile


@transaction.atomic
def id_number_consent_withdraw(*, user: User) -> StudentProfile | None:
    """Withdraw the separate consent to process the ID number (PIPL art. 15, 29): the number
    is removed from the profile at once (encrypted value, digest and masked form). Applications
    already made stay as they are; applying again needs the number and the consent again."""
    consent_withdraw(user=user, kind=Consent.Kind.ID_NUMBER)
    profile = StudentProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        return None
    profile.clear_id_number()
    profile.consent_at = None
    profile.consent_version = ""
    profile.save(
        update_fields=["id_number_encrypted", "id_number_digest", "id_number_masked", "consent_at", "consent_version"]
    )
    return profile
