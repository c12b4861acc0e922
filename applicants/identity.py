"""The resident ID number (居民身份证号): validation, encryption, keyed hash and masking.

The number is personal information of the sensitive kind: it is stored encrypted (Fernet),
kept unique through an HMAC-SHA256 digest under a separate key, and shown only masked.

Encryption keys rotate without loss: ``FIELD_ENCRYPTION_KEYS`` lists them newest first; the
first encrypts, every one decrypts (``MultiFernet``). After a new key is put first,
``manage.py reencrypt_fields`` moves every stored value to it, and the old key can go.
"""

import base64
import datetime as dt
import hashlib
import hmac
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ID_RE = re.compile(r"^\d{17}[\dX]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


def normalize_id_number(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def id_check_char(first17: str) -> str:
    """The GB 11643-1999 check character (ISO 7064 MOD 11-2) for 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def id_birth_date(value: str) -> dt.date | None:
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def validate_id_number(value: str, *, today: dt.date | None = None) -> None:
    """Raise ValidationError unless ``value`` is a well-formed 18-character ID number whose
    birth date makes a plausible university student (aged 14 to 60)."""
    value = normalize_id_number(value)
    if not ID_RE.match(value):
        raise ValidationError(
            _("The ID number has 18 characters: 17 digits followed by a digit or X."), code="id_format"
        )
    birth = id_birth_date(value)
    today = today or timezone.localdate()
    if birth is None or not (dt.date(today.year - 60, 1, 1) <= birth <= dt.date(today.year - 14, 12, 31)):
        raise ValidationError(_("The birth date inside the ID number is not plausible."), code="id_birth_date")
    if id_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("The ID number's last character does not match: please check it for a typing error."),
            code="id_checksum",
        )


def mask_id_number(value: str) -> str:
    """``310116200001011234`` → ``310116********1234``."""
    value = normalize_id_number(value)
    return f"{value[:6]}{'*' * 8}{value[-4:]}" if len(value) == 18 else "*" * len(value)


def _derive(purpose: str, secret_key: str | None = None) -> bytes:
    return hashlib.sha256(f"jinseed:{purpose}:{secret_key or settings.SECRET_KEY}".encode()).digest()


def _encryption_keys() -> tuple[str, ...]:
    """The Fernet keys, newest first. Development without keys derives one from SECRET_KEY
    (and one from each SECRET_KEY_FALLBACKS entry, so rotating it there loses nothing either)."""
    keys = tuple(key for key in settings.FIELD_ENCRYPTION_KEYS if key)
    if keys:
        return keys
    secrets = (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)
    return tuple(base64.urlsafe_b64encode(_derive("id-encryption", secret)).decode() for secret in secrets)


@lru_cache(maxsize=4)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _fernet() -> MultiFernet:
    return _multi_fernet(_encryption_keys())


def _hash_key() -> bytes:
    return settings.ID_NUMBER_HASH_KEY.encode() if settings.ID_NUMBER_HASH_KEY else _derive("id-hash")


def encrypt_id_number(value: str) -> str:
    return _fernet().encrypt(normalize_id_number(value).encode()).decode()


def decrypt_id_number(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def id_number_token_is_current(token: str) -> bool:
    """Whether ``token`` is encrypted with the first (current) key."""
    try:
        _multi_fernet(_encryption_keys()[:1]).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def id_number_token_rotate(token: str) -> str:
    """``token`` encrypted again with the current key (its content unchanged)."""
    return _fernet().rotate(token.encode()).decode()


def digest_id_number(value: str) -> str:
    return hmac.new(_hash_key(), normalize_id_number(value).encode(), hashlib.sha256).hexdigest()
