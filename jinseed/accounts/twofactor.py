"""The second factor: an authenticator app (TOTP) and ten one-time recovery codes.

Programme staff and unit coordinators must use it (MLPS 2.0 level 3 asks it of whoever
administers personal data); students and mentors may turn it on from their account page.
The lifecycle of a person's second factor:

1. ``totp_device_begin`` makes an unconfirmed authenticator device; the enrolment page shows
   its secret as a QR code and as text.
2. ``totp_device_confirm`` takes a current code from the app: the device is confirmed (any
   older one goes) and ten new recovery codes are made, shown once.
3. At each login, after the password, ``second_factor_verify`` takes a code from the app or a
   recovery code (which is then used up). Wrong codes are counted on the device and lock it
   for a time that doubles with each one (django-otp's throttling).
4. ``second_factor_reset`` removes everything: staff do it from the admin for someone who lost
   their phone and codes; the person enrols again at their next login.

Each step is written to ``jinseed.audit.SecondFactorEvent``. ``SecondFactorMiddleware``
(middleware.py) sends a session that has not passed step 3 to the right page.
"""

import base64
import io
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from jinseed.audit.models import SecondFactorEvent
from jinseed.errors import DomainError

from .enums import Role

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"


class SecondFactorError(DomainError):
    pass


def second_factor_required(user) -> bool:
    """Staff (in the programme's or the admin's sense) and coordinators may not go without it."""
    return bool(
        user.is_authenticated and (user.is_staff or user.is_superuser or user.role in (Role.STAFF, Role.COORDINATOR))
    )


def second_factor_enrolled(user) -> bool:
    return user_has_device(user, confirmed=True)


def confirmed_totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- enrolment -------------------------------------------------------------------------------
def totp_device_begin(*, user) -> TOTPDevice:
    """The unconfirmed device the enrolment page shows; the same one until it is confirmed, so
    that reloading the page does not invalidate a QR code already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The provisioning URI as an SVG QR code in a ``data:`` URI: drawn here, no script, and
    allowed by the Content-Security-Policy (``img-src 'self' data:``)."""
    out = io.BytesIO()
    qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2).save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def totp_device_confirm(*, user, device: TOTPDevice, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm ``device`` with a current ``code``; returns it with the new recovery codes.

    Any other authenticator and the old recovery codes are removed: one phone at a time. A
    wrong code is counted on the device (committed, then refused).
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user, confirmed=False).first()
        error: SecondFactorError | None
        if device is None:
            error = SecondFactorError(_("This set-up has expired. Please start again."), code="stale")
        else:
            error = _locked_error(device)
        if error is None:
            if device.verify_token(_digits(code)):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
                codes = _recovery_codes_make(user)
                SecondFactorEvent.objects.create(user=user, actor=user, kind=SecondFactorEvent.Kind.ENROLLED)
                return device, codes
            error = SecondFactorError(
                _(
                    "This code is not right. Enter the 6-digit code your authenticator app shows now for "
                    "“Golden Seed”; check that the phone's clock is set automatically."
                ),
                code="wrong_code",
            )
    raise error


@transaction.atomic
def recovery_codes_renew(*, user) -> list[str]:
    """Ten new recovery codes (the old ones stop working), for someone already enrolled."""
    if confirmed_totp_device(user) is None:
        raise SecondFactorError(_("Set up an authenticator app first."), code="not_enrolled")
    codes = _recovery_codes_make(user)
    SecondFactorEvent.objects.create(user=user, actor=user, kind=SecondFactorEvent.Kind.RECOVERY_CODES_RENEWED)
    return codes


def _recovery_codes_make(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes: list[str] = []
    while len(codes) < RECOVERY_CODE_COUNT:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=token) for token in codes)
    return codes


# --- each login --------------------------------------------------------------------------------
def second_factor_verify(*, user, code: str):
    """The device that accepts ``code`` (a 6-digit app code, or a recovery code, used up).

    The device is locked for the check, so that one code cannot be used twice at once; a wrong
    code is counted on it (committed, then refused).
    """
    code = (code or "").strip().replace(" ", "").replace("-", "").lower()
    is_app_code = code.isdigit() and len(code) == 6
    model = TOTPDevice if is_app_code else StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).order_by("-id").first()
        if device is None:
            if is_app_code:
                raise SecondFactorError(_("Your account has no authenticator app set up."), code="not_enrolled")
            raise SecondFactorError(_("Enter the 6-digit code from your authenticator app."), code="wrong_code")
        error = _locked_error(device)
        if error is None:
            if device.verify_token(code):
                if not is_app_code:
                    SecondFactorEvent.objects.create(
                        user=user, actor=user, kind=SecondFactorEvent.Kind.RECOVERY_CODE_USED
                    )
                return device
            if is_app_code:
                message = _(
                    "This code is not right. Enter the code your authenticator app shows now; check that the "
                    "phone's clock is set automatically."
                )
            else:
                message = _("This recovery code is not right, or it has been used already.")
            error = SecondFactorError(message, code="wrong_code")
    raise error


def _locked_error(device) -> SecondFactorError | None:
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    until = timezone.localtime(data["locked_until"]) if data and data.get("locked_until") else None
    return SecondFactorError(
        _("Too many wrong codes. Please wait until %(time)s, then try again.")
        % {"time": formats.time_format(until, "H:i:s") if until else "—"},
        code="locked",
    )


def _digits(code: str) -> str:
    return (code or "").strip().replace(" ", "")


# --- removal --------------------------------------------------------------------------------------
@transaction.atomic
def second_factor_reset(*, user, actor) -> int:
    """Remove ``user``'s authenticator and recovery codes; returns how many devices went.

    ``actor`` is staff in the admin (someone lost their phone) or the person themselves turning
    an optional second factor off. Sessions already verified stay so until they end.
    """
    removed = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
    removed += StaticDevice.objects.filter(user=user).delete()[1].get(StaticDevice._meta.label, 0)
    SecondFactorEvent.objects.create(user=user, actor=actor, kind=SecondFactorEvent.Kind.RESET)
    return removed
