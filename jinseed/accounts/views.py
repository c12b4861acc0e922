import datetime as dt
import logging
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import i18n as i18n_views
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from jinseed.authz import rule_required
from jinseed.clientaddr import client_address
from jinseed.logmask import mask_mobile

from . import twofactor
from .consents import consent_give
from .forms import AuthenticatorCodeForm, CodeForm, NewEmailForm, NewMobileForm, RegistrationForm, SecondFactorForm
from .middleware import OPTIONAL_SECOND_FACTOR_KEY, SESSION_KEY, privacy_notice_accepted, session_verified
from .models import Consent, ContactVerification, User
from .services import AccountError, password_reset_allowed, registration_submit, user_language_set
from .verification import VerificationError, verification_confirm, verification_pending, verification_send

Channel = ContactVerification.Channel
logger = logging.getLogger(__name__)


class LogoutView(auth_views.LogoutView):
    """Logging out is a POST (a link or a prefetch must not end a session); a GET — an old
    bookmark, a typed address — gets a page with the button instead of a 405."""

    http_method_names = ["get", "post", "options"]
    template_name = "accounts/logout_confirm.html"

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(settings.LOGOUT_REDIRECT_URL)
        return render(request, self.template_name)


def locked_out(request):
    return render(request, "accounts/locked_out.html", status=429)


REGISTRATION_SESSION_KEY = "jinseed.registration"


def register(request):
    """A student registers, then proves the mobile with the code sent to it (``register_code``).

    The answer is the same whether or not the email or mobile already has an account: the
    same page asks for the code. Only a new account gets codes; the owner of an existing one
    is told by message that someone tried (``services.registration_submit``).
    """
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = registration_submit(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                mobile=form.cleaned_data["mobile"],
                language=getattr(request, "LANGUAGE_CODE", "zh-hans") or "zh-hans",
                client_address=client_address(request),
            )
        except AccountError as exc:
            form.add_error(None, exc.message)
        else:
            if user is not None:
                for channel in (Channel.SMS, Channel.EMAIL):
                    try:
                        verification_send(user=user, channel=channel, ip_address=client_address(request))
                    except VerificationError:
                        logger.info("Registration codes for account %s not sent: rate limit", user.pk)
            request.session[REGISTRATION_SESSION_KEY] = {
                "user": user.pk if user is not None else None,
                "mobile": mask_mobile(form.cleaned_data["mobile"]),
                "at": timezone.now().isoformat(),
                "tries": 0,
            }
            return redirect("accounts:register_code")
    # A refused registration comes back with what was typed (the passwords excepted) and 400.
    return render(request, "accounts/register.html", {"form": form}, status=400 if form.is_bound else 200)


def register_code(request):
    """The code sent to the mobile of a new registration: once confirmed, the student is logged
    in and goes on to verify the email and complete the profile. A registration that made no
    account (its email or mobile was taken) gets the same page and the same answers."""
    pending = request.session.get(REGISTRATION_SESSION_KEY)
    if request.user.is_authenticated or not pending:
        return redirect("home" if request.user.is_authenticated else "accounts:register")
    form = CodeForm(request.POST or None, prefix="sms")
    if request.method == "POST" and form.is_valid():
        try:
            user = _registration_confirm(request, pending, form.cleaned_data["code"])
        except VerificationError as exc:
            form.add_error(None, exc.message)
        else:
            del request.session[REGISTRATION_SESSION_KEY]
            login(request, user, backend="jinseed.accounts.backends.EmailOrMobileBackend")
            request.session[SESSION_KEY] = settings.PRIVACY_NOTICE_VERSION
            messages.success(
                request, _("Your account is created and your mobile number verified. Now complete your profile.")
            )
            return redirect("accounts:verify")
    return render(
        request,
        "accounts/register_code.html",
        {"form": form, "mobile": pending["mobile"], "minutes": settings.VERIFICATION_CODE_TTL_SECONDS // 60},
        status=400 if form.is_bound else 200,
    )


def _registration_confirm(request, pending: dict, code: str) -> User:
    """The real check for a new account; for a registration that made none, the answers the
    real check would give to someone without the code (wrong, then locked, or expired)."""
    if pending.get("user"):
        user = User.objects.filter(pk=pending["user"], is_active=True).first()
        if user is not None:
            return verification_confirm(user=user, channel=Channel.SMS, code=code)
    max_attempts = settings.VERIFICATION_MAX_ATTEMPTS
    if pending["tries"] >= max_attempts:
        raise VerificationError(_("This code is locked after too many wrong tries. Please ask for a new one."))
    started = dt.datetime.fromisoformat(pending["at"])
    if timezone.now() - started >= dt.timedelta(seconds=settings.VERIFICATION_CODE_TTL_SECONDS):
        raise VerificationError(_("This code has expired. Please ask for a new one."))
    pending["tries"] += 1
    request.session[REGISTRATION_SESSION_KEY] = pending
    left = max_attempts - pending["tries"]
    if left <= 0:
        raise VerificationError(_("Wrong code. The code is now locked: please ask for a new one."))
    raise VerificationError(
        ngettext("Wrong code. %(n)s try left.", "Wrong code. %(n)s tries left.", left) % {"n": left}
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset mail, at most ``PASSWORD_RESET_TARGET_PER_HOUR`` an hour to one address
    and ``PASSWORD_RESET_IP_PER_HOUR`` from one client address; whether the address has an
    account is never said."""

    def form_valid(self, form):
        refused = password_reset_allowed(email=form.cleaned_data["email"], client_address=client_address(self.request))
        if refused is not None:
            form.add_error(None, refused)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice on the user's account so
    that their messages (email, SMS) arrive in it too."""
    response = i18n_views.set_language(request)
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=request.POST.get("language", ""))
    return response


@rule_required("accounts.use_portal")
def verify(request):
    """Prove the mobile number and the email address with the codes sent to them; ask for a
    new code; change either (the new value is taken only once its code is confirmed)."""
    user = request.user
    forms_by_action = {
        "confirm_sms": CodeForm(prefix="sms"),
        "confirm_email": CodeForm(prefix="email"),
        "change_mobile": NewMobileForm(prefix="mobile", user=user),
        "change_email": NewEmailForm(prefix="newemail", user=user),
    }
    action = request.POST.get("action", "")
    status = 200
    if request.method == "POST":
        if action in ("resend_sms", "resend_email"):
            channel = Channel.SMS if action == "resend_sms" else Channel.EMAIL
            pending = verification_pending(user=user, channel=channel)
            target = pending.target if pending else None
            try:
                verification_send(user=user, channel=channel, target=target, ip_address=client_address(request))
            except VerificationError as exc:
                messages.error(request, exc.message)
                status = 400
            else:
                messages.success(request, _("A new code is sent."))
                return redirect("accounts:verify")
        elif action in forms_by_action:
            prefix = forms_by_action[action].prefix
            form_class = type(forms_by_action[action])
            kwargs = {"user": user} if action.startswith("change") else {}
            form = form_class(request.POST, prefix=prefix, **kwargs)
            forms_by_action[action] = form
            status = 400
            if form.is_valid():
                try:
                    if action.startswith("confirm"):
                        channel = Channel.SMS if action == "confirm_sms" else Channel.EMAIL
                        verification_confirm(user=user, channel=channel, code=form.cleaned_data["code"])
                        messages.success(request, _("Verified. Thank you."))
                    else:
                        channel = Channel.SMS if action == "change_mobile" else Channel.EMAIL
                        target = form.cleaned_data["mobile" if channel == Channel.SMS else "email"]
                        verification_send(user=user, channel=channel, target=target, ip_address=client_address(request))
                        messages.success(
                            request, _("A code is sent to the new value. It replaces the old one once confirmed.")
                        )
                except VerificationError as exc:
                    form.add_error(None, exc.message)
                else:
                    return redirect(_next(request) or "accounts:verify")
    return render(
        request,
        "accounts/verify.html",
        {
            "sms_form": forms_by_action["confirm_sms"],
            "email_form": forms_by_action["confirm_email"],
            "mobile_form": forms_by_action["change_mobile"],
            "new_email_form": forms_by_action["change_email"],
            "sms_pending": verification_pending(user=user, channel=Channel.SMS),
            "email_pending": verification_pending(user=user, channel=Channel.EMAIL),
            "minutes": settings.VERIFICATION_CODE_TTL_SECONDS // 60,
            "tries": settings.VERIFICATION_MAX_ATTEMPTS,
        },
        status=status,
    )


def _next(request) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt.startswith("/") and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return ""


@rule_required("accounts.use_portal")
def privacy_consent(request):
    """A new privacy notice version: the student reads what changed and accepts it to go on."""
    if request.method == "POST" and request.POST.get("accept") == "yes":
        consent_give(user=request.user, kind=Consent.Kind.PRIVACY_NOTICE)
        request.session[SESSION_KEY] = settings.PRIVACY_NOTICE_VERSION
        messages.success(request, _("Thank you. You accepted the privacy notice."))
        return redirect(_next(request) or "home")
    refused = request.method == "POST"
    return render(
        request,
        "accounts/privacy_consent.html",
        {
            "version": settings.PRIVACY_NOTICE_VERSION,
            "accepted": privacy_notice_accepted(request.user),
            "next": _next(request),
            "refused": refused,
        },
        status=400 if refused else 200,
    )


# --- Second factor (twofactor.py) ------------------------------------------------------------
#: The recovery codes just made, kept in the session only until the page that shows them once.
NEW_RECOVERY_CODES_KEY = "second_factor_new_codes"


def _with_next(name: str, nxt: str) -> str:
    url = reverse(name)
    return f"{url}?next={quote(nxt)}" if nxt else url


def _second_factor_passed(request, device) -> None:
    """The session is verified from now on (django-otp's login), under a new session key."""
    request.session.cycle_key()
    otp_login(request, device)


@rule_required("accounts.use_portal")
def two_factor(request):
    """The account's second factor: whether it is on, recovery codes left, what can be done."""
    user = request.user
    device = twofactor.confirmed_totp_device(user)
    return render(
        request,
        "accounts/two_factor.html",
        {
            "device": device,
            "required": twofactor.second_factor_required(user),
            "codes_left": twofactor.recovery_codes_left(user) if device else 0,
            "verified": session_verified(request),
        },
    )


@never_cache
@rule_required("accounts.use_portal")
def two_factor_enrol(request):
    """Set up an authenticator app: scan the QR code (or type the secret), confirm with a code.

    Someone who already has one must pass it first: a password alone never replaces it.
    """
    user = request.user
    nxt = _next(request)
    if twofactor.second_factor_enrolled(user) and not session_verified(request):
        return redirect(_with_next("accounts:two_factor_verify", nxt))
    device = twofactor.totp_device_begin(user=user)
    form = AuthenticatorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                device, codes = twofactor.totp_device_confirm(user=user, device=device, code=form.cleaned_data["code"])
            except twofactor.SecondFactorError as exc:
                form.add_error("code", exc.message)
            else:
                _second_factor_passed(request, device)
                request.session[OPTIONAL_SECOND_FACTOR_KEY] = True
                request.session[NEW_RECOVERY_CODES_KEY] = codes
                messages.success(request, _("Your authenticator app is set up."))
                return redirect(_with_next("accounts:two_factor_recovery_codes", nxt))
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "qr_code": twofactor.totp_qr_data_uri(device),
            "secret": twofactor.totp_secret(device),
            "required": twofactor.second_factor_required(user),
            "replacing": twofactor.second_factor_enrolled(user),
            "next": nxt,
        },
        status=status,
    )


@never_cache
@rule_required("accounts.use_portal")
def two_factor_verify(request):
    """After the password: a code from the app, or a recovery code."""
    user = request.user
    nxt = _next(request) or resolve_url(settings.LOGIN_REDIRECT_URL)
    if session_verified(request):
        return redirect(nxt)
    if not twofactor.second_factor_enrolled(user):
        if twofactor.second_factor_required(user):
            return redirect(_with_next("accounts:two_factor_enrol", nxt))
        request.session[OPTIONAL_SECOND_FACTOR_KEY] = False
        return redirect(nxt)
    form = SecondFactorForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                device = twofactor.second_factor_verify(user=user, code=form.cleaned_data["code"])
            except twofactor.SecondFactorError as exc:
                form.add_error("code", exc.message)
            else:
                _second_factor_passed(request, device)
                if isinstance(device, StaticDevice):
                    left = twofactor.recovery_codes_left(user)
                    messages.warning(
                        request,
                        ngettext(
                            "You used a recovery code: %(count)d is left. Make new ones on your account's "
                            "second factor page.",
                            "You used a recovery code: %(count)d are left. Make new ones on your account's "
                            "second factor page.",
                            left,
                        )
                        % {"count": left},
                    )
                return redirect(nxt)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": nxt}, status=status)


@never_cache
@rule_required("accounts.use_portal")
def two_factor_recovery_codes(request):
    """The recovery codes just made, shown once (to print or write down); POST makes new ones."""
    user = request.user
    nxt = _next(request)
    if request.method == "POST":
        if not session_verified(request):
            raise PermissionDenied(_("Confirm your second factor first."))
        try:
            request.session[NEW_RECOVERY_CODES_KEY] = twofactor.recovery_codes_renew(user=user)
        except twofactor.SecondFactorError as exc:
            messages.error(request, exc.message)
            return redirect("accounts:two_factor")
        messages.success(request, _("New recovery codes are made; the old ones no longer work."))
        return redirect(_with_next("accounts:two_factor_recovery_codes", nxt))
    codes = request.session.pop(NEW_RECOVERY_CODES_KEY, None)
    if not codes:
        messages.info(request, _("Recovery codes are shown only once. You can make new ones here."))
        return redirect("accounts:two_factor")
    return render(request, "accounts/two_factor_recovery_codes.html", {"codes": codes, "next": nxt})


@require_POST
@rule_required("accounts.use_portal")
def two_factor_disable(request):
    """Students and mentors may turn their optional second factor off (after passing it)."""
    user = request.user
    if twofactor.second_factor_required(user):
        raise PermissionDenied(_("Your account must keep its second factor."))
    if not session_verified(request):
        return redirect(_with_next("accounts:two_factor_verify", reverse("accounts:two_factor")))
    twofactor.second_factor_reset(user=user, actor=user)
    request.session[OPTIONAL_SECOND_FACTOR_KEY] = False
    messages.success(request, _("The second factor is turned off."))
    return redirect("accounts:two_factor")
