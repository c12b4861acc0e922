"""ID numbers stay readable while their encryption key rotates, and move to the new key."""

import io

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command

from applicants.identity import decrypt_id_number, encrypt_id_number
from applicants.models import StudentProfile
from tests import factories

pytestmark = pytest.mark.django_db

OLD_KEY = "q5Yf0v2Wm6wq1y4Fh3nH8mXo2b7Zr0tA9sDk3LpQe1U="
NEW_KEY = "Zm9yLXRlc3RzLW9ubHktYS1uZXctZmVybmV0LWtleSE="
ID_A, ID_B = "310116200005171016", "31011620010203101X"


def _reencrypt(batch_size=1) -> str:
    out = io.StringIO()
    call_command("reencrypt_fields", batch_size=batch_size, stdout=out)
    return out.getvalue().strip()


def _ids() -> list[str]:
    return [profile.id_number for profile in StudentProfile.objects.order_by("pk")]


def test_the_old_key_second_in_the_list_still_decrypts_and_the_new_one_encrypts(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    before = factories.StudentProfileFactory(id_number=ID_A)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    after = factories.StudentProfileFactory(id_number=ID_B)
    assert _ids() == [ID_A, ID_B]
    assert Fernet(NEW_KEY).decrypt(after.id_number_encrypted.encode()).decode() == ID_B
    with pytest.raises(InvalidToken):
        Fernet(NEW_KEY).decrypt(before.id_number_encrypted.encode())


def test_after_reencrypt_fields_the_old_key_can_be_dropped(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    factories.StudentProfileFactory(id_number=ID_A)
    withdrawn = factories.StudentProfileFactory()
    withdrawn.clear_id_number()
    withdrawn.save(update_fields=["id_number_encrypted", "id_number_digest", "id_number_masked"])
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    factories.StudentProfileFactory(id_number=ID_B)
    digests = list(StudentProfile.objects.order_by("pk").values_list("id_number_digest", flat=True))

    assert _reencrypt() == (
        "student ID numbers: 1 re-encrypted, 1 already under the current key, 1 empty, 0 unreadable"
    )
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    profiles = list(StudentProfile.objects.order_by("pk"))
    assert [p.id_number if p.has_id_number else None for p in profiles] == [ID_A, None, ID_B]
    # The keyed hash that keeps ID numbers unique is not touched.
    assert list(StudentProfile.objects.order_by("pk").values_list("id_number_digest", flat=True)) == digests
    # Idempotent: a second run finds nothing left to do.
    assert _reencrypt(batch_size=500) == (
        "student ID numbers: 0 re-encrypted, 2 already under the current key, 1 empty, 0 unreadable"
    )


def test_reencrypt_fields_refuses_to_pretend_when_a_key_was_dropped_too_early(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    factories.StudentProfileFactory(id_number=ID_A)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(CommandError) as refused:
        _reencrypt()
    assert str(refused.value) == (
        "1 ID number(s) open with none of FIELD_ENCRYPTION_KEYS: put back the key they were encrypted with "
        "(after the current one) and run this again."
    )


def test_development_keys_follow_secret_key_and_its_fallbacks(settings):
    """Without FIELD_ENCRYPTION_KEYS (development) the key is derived from SECRET_KEY as before;
    a rotated SECRET_KEY with the old one in SECRET_KEY_FALLBACKS still opens the old values."""
    settings.FIELD_ENCRYPTION_KEYS = []
    token = encrypt_id_number(ID_A)
    old_secret = settings.SECRET_KEY
    settings.SECRET_KEY = "a-brand-new-secret-key-after-rotation-0123456789"
    settings.SECRET_KEY_FALLBACKS = [old_secret]
    assert decrypt_id_number(token) == ID_A
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(InvalidToken):
        decrypt_id_number(token)
