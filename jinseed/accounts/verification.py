"""Proving a mobile number or email address belongs to the account: one-time codes.

Lifecycle of a code: ``verification_send`` makes a 6-digit code, stores only its hash and
sends it when the transaction commits (SMS through ``jinseed.notifications.sms``, email
through Django's mail backend: the code must never sit readable in the outbox);
``verification_confirm`` compares a typed code with the newest live code for the channel.
A code expires after ``VERIFICATION_CODE_TTL_SECONDS``; ``VERIFICATION_MAX_ATTEMPTS`` wrong
tries lock it. Sending is rate-limited per number or address (one a minute, five an hour by
default) and per IP address (twenty an hour).

A confirmed code for a *new* value (a profile change) writes that value to the account; the
old value stays until then.
"""

import logging
import secrets
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jinseed.errors import DomainError
from jinseed.logmask import mask_mobile
from jinseed.notifications.errors import PermanentDeliveryError, TransientDeliveryError
from jinseed.notifications.sms import get_sms_backend
from jinseed.notifications.sms_templates import VERIFICATION_KIND, SmsMessage

from .models import ContactVerification, User

logger = logging.getLogger(__name__)

Channel = ContactVerification.Channel


class VerificationError(DomainError):
    pass


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _check_rate(*, target: str, ip_address: str | None, now) -> None:
    recent = ContactVerification.objects.filter(target=target)
    per_minute = _setting("VERIFICATION_TARGET_INTERVAL_SECONDS", 60)
    last = recent.order_by("-created_at").values_list("created_at", flat=True).first()
    if last is not None and last > now - timedelta(seconds=per_minute):
        wait = per_minute - int((now - last).total_seconds())
        raise VerificationError(
            ngettext(
                "A code was just sent. Please wait %(n)s second before asking for another.",
                "A code was just sent. Please wait %(n)s seconds before asking for another.",
                wait,
            )
            % {"n": wait},
            code="rate_target_minute",
        )
    hour_ago = now - timedelta(hours=1)
    if recent.filter(created_at__gt=hour_ago).count() >= _setting("VERIFICATION_TARGET_PER_HOUR", 5):
        raise VerificationError(
            _("Too many codes were sent to this number or address in the last hour. Please try again later."),
            code="rate_target_hour",
        )
    if ip_address and ContactVerification.objects.filter(
        ip_address=ip_address, created_at__gt=hour_ago
    ).count() >= _setting("VERIFICATION_IP_PER_HOUR", 20):
        raise VerificationError(
            _("Too many codes were requested from your network in the last hour. Please try again later."),
            code="rate_ip_hour",
        )


def _deliver(*, channel: str, target: str, code: str, language: str) -> None:
    minutes = _setting("VERIFICATION_CODE_TTL_SECONDS", 600) // 60
    with translation.override(language):
        if channel == Channel.SMS:
            text = _("【%(brand)s】Your verification code is %(code)s. It is valid for %(minutes)s minutes.") % {
                "brand": _("Golden Seed"),
                "code": code,
                "minutes": minutes,
            }
            try:
                message = SmsMessage(kind=VERIFICATION_KIND, text=text, params={"code": code, "minutes": str(minutes)})
                get_sms_backend().send(target, message)
            except (TransientDeliveryError, PermanentDeliveryError) as exc:
                # The page already says a code was sent; the person asks again after a minute.
                logger.warning("Verification SMS to %s not delivered: %s", mask_mobile(target), exc)
        else:
            send_mail(
                _("Golden Seed: your verification code"),
                _(
                    "Your verification code is %(code)s. It is valid for %(minutes)s minutes. "
                    "If you did not ask for it, ignore this message."
                )
                % {"code": code, "minutes": minutes},
                None,
                [target],
            )


_CODE_HASH_PREFIX = "hmac-sha256$"


def _code_hash(*, code: str, user_id: int, channel: str) -> str:
    """A keyed hash of a code, bound to its account and channel. A six-digit code lives ten
    minutes and locks after a few wrong tries: a password hasher's deliberate slowness (three
    of them made registering take seconds) buys it nothing a keyed hash does not."""
    digest = salted_hmac("jinseed.verification", f"{user_id}:{channel}:{code}", algorithm="sha256").hexdigest()
    return f"{_CODE_HASH_PREFIX}{digest}"


def _code_matches(*, code: str, verification) -> bool:
    if verification.code_hash.startswith(_CODE_HASH_PREFIX):
        expected = _code_hash(code=code, user_id=verification.user_id, channel=verification.channel)
        return constant_time_compare(expected, verification.code_hash)
    return check_password(code, verification.code_hash)  # a code sent before this change


@transaction.atomic
def verification_send(*, user: User, channel: str, target: str | None = None, ip_address: str | None = None):
    """Send a new code for ``channel`` to ``target`` (the account's own value by default)."""
    now = timezone.now()
    target = target or (user.mobile if channel == Channel.SMS else user.email)
    if not target:
        raise VerificationError(_("There is no mobile number on your account to verify."), code="no_target")
    User.objects.select_for_update().filter(pk=user.pk).first()  # one send at a time per account
    _check_rate(target=target, ip_address=ip_address, now=now)
    code = _code()
    # Older live codes of this channel end: only the newest one counts.
    ContactVerification.objects.filter(user=user, channel=channel, used_at__isnull=True).update(used_at=now)
    verification = ContactVerification.objects.create(
        user=user,
        channel=channel,
        target=target,
        code_hash=_code_hash(code=code, user_id=user.pk, channel=channel),
        ip_address=ip_address,
        created_at=now,
        expires_at=now + timedelta(seconds=_setting("VERIFICATION_CODE_TTL_SECONDS", 600)),
    )
    transaction.on_commit(
        partial(_deliver, channel=channel, target=target, code=code, language=user.language or "zh-hans"),
        robust=True,
    )
    return verification


def verification_pending(*, user: User, channel: str) -> ContactVerification | None:
    """The newest live code of ``channel``, if any (to say where it was sent)."""
    return (
        ContactVerification.objects.filter(user=user, channel=channel, used_at__isnull=True)
        .order_by("-created_at")
        .first()
    )


@transaction.atomic
def _confirm(*, user: User, channel: str, code: str) -> "User | VerificationError":
    """Check ``code`` in one transaction. A wrong code is *returned*, so that the counted try
    commits; everything else that refuses raises (and changes nothing)."""
    now = timezone.now()
    verification = (
        ContactVerification.objects.select_for_update()
        .filter(user=user, channel=channel, used_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if verification is None:
        raise VerificationError(_("There is no code to check. Please ask for a new one."), code="no_code")
    max_attempts = _setting("VERIFICATION_MAX_ATTEMPTS", 5)
    if verification.attempts >= max_attempts:
        raise VerificationError(
            _("This code is locked after too many wrong tries. Please ask for a new one."), code="locked"
        )
    if verification.expires_at <= now:
        raise VerificationError(_("This code has expired. Please ask for a new one."), code="expired")
    if not _code_matches(code=(code or "").strip(), verification=verification):
        verification.attempts += 1
        verification.save(update_fields=["attempts"])
        left = max_attempts - verification.attempts
        if left <= 0:
            return VerificationError(_("Wrong code. The code is now locked: please ask for a new one."), code="locked")
        return VerificationError(
            ngettext("Wrong code. %(n)s try left.", "Wrong code. %(n)s tries left.", left) % {"n": left},
            code="wrong_code",
        )
    verification.used_at = now
    verification.save(update_fields=["used_at"])
    locked_user = User.objects.select_for_update().get(pk=user.pk)
    if channel == Channel.SMS:
        if locked_user.mobile != verification.target:
            if User.objects.filter(mobile=verification.target).exclude(pk=user.pk).exists():
                raise VerificationError(
                    _("This mobile number belongs to another account meanwhile."), code="duplicate_mobile"
                )
            locked_user.mobile = verification.target
        locked_user.mobile_verified_at = now
        locked_user.save(update_fields=["mobile", "mobile_verified_at"])
    else:
        if locked_user.email != verification.target:
            if User.objects.filter(email__iexact=verification.target).exclude(pk=user.pk).exists():
                raise VerificationError(_("This email belongs to another account meanwhile."), code="duplicate_email")
            locked_user.email = verification.target
        locked_user.email_verified_at = now
        locked_user.save(update_fields=["email", "email_verified_at"])
    user.mobile, user.email = locked_user.mobile, locked_user.email
    user.mobile_verified_at, user.email_verified_at = locked_user.mobile_verified_at, locked_user.email_verified_at
    return locked_user


def verification_confirm(*, user: User, channel: str, code: str) -> User:
    """Check ``code``; on success mark the value verified (and take it if it is new). A wrong
    code is counted, then refused with ``VerificationError``."""
    result = _confirm(user=user, channel=channel, code=code)
    if isinstance(result, VerificationError):
        raise result
    return result
