"""Language and privacy-notice middleware.

* ``ChineseFirstLocaleMiddleware`` (in place of Django's LocaleMiddleware): the portal speaks
  Chinese to a first visit whatever the browser's Accept-Language — an English phone must not
  turn it English. English is the switcher's choice, remembered in the language cookie (and
  on the account, see ``UserLanguageMiddleware``).
* ``UserLanguageMiddleware``: a signed-in user who has chosen a language (the switcher saves
  it on the account, and notifications use it) gets it on every device, unless the cookie of
  this browser says otherwise.
* ``PrivacyNoticeConsentMiddleware``: a student who has not accepted the current privacy
  notice version (``PRIVACY_NOTICE_VERSION``) is sent to the page that asks for it, whatever
  they open, until they accept. The answer is remembered in the session.
* ``SecondFactorMiddleware``: a session of staff or a coordinator — or of anyone who turned the
  second factor on — that has not passed it goes to the enrolment page (no authenticator yet)
  or the code page, with ``next`` kept, whatever it opens: the office, the unit pages, the
  admin, files and exports alike. One check for every page, in every mode.

  A session has passed it once ``django_otp.login`` has written the device into it (the
  session is server-side, and a login as someone else starts a new one). django-otp's own
  middleware, which reads the device again on every request, is not used: the query would
  count on every page staff and coordinators wait on. Removing someone's second factor
  therefore leaves their current sessions as they are, until they log out or expire.
"""

from urllib.parse import quote

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY

from .models import Consent
from .twofactor import second_factor_enrolled, second_factor_required

SESSION_KEY = "privacy_notice_accepted"
#: For a person who may go without a second factor: whether they turned it on (asked once a
#: session, so that students' pages do not look for devices on every request).
OPTIONAL_SECOND_FACTOR_KEY = "second_factor_optional_on"


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user.language in dict(settings.LANGUAGES)
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


def privacy_notice_accepted(user) -> bool:
    return Consent.objects.filter(
        user=user,
        kind=Consent.Kind.PRIVACY_NOTICE,
        version=settings.PRIVACY_NOTICE_VERSION,
        withdrawn_at__isnull=True,
    ).exists()


class PrivacyNoticeConsentMiddleware:
    #: Pages a student may open before accepting: the question itself, the notice it refers
    #: to, logging out, the language switch, and files.
    EXEMPT_NAMES = ("accounts:privacy_consent", "accounts:logout", "set_language", "applicants:privacy")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_student and not self._exempt(request):
            version = settings.PRIVACY_NOTICE_VERSION
            if request.session.get(SESSION_KEY) != version:
                if not privacy_notice_accepted(user):
                    return redirect(f"{reverse('accounts:privacy_consent')}?next={request.get_full_path()}")
                request.session[SESSION_KEY] = version
        return self.get_response(request)

    def _exempt(self, request) -> bool:
        path = request.path_info
        if path.startswith(("/" + settings.STATIC_URL.lstrip("/"), "/" + settings.MEDIA_URL.lstrip("/"))):
            return True
        return any(path == reverse(name) for name in self.EXEMPT_NAMES)


def remember_privacy_notice_at_login(sender, request, user, **kwargs):
    """At login the question is settled once, so that pages do not ask the database again."""
    if getattr(user, "is_student", False) and privacy_notice_accepted(user):
        request.session[SESSION_KEY] = settings.PRIVACY_NOTICE_VERSION
    elif hasattr(request, "session"):
        request.session.pop(SESSION_KEY, None)


def session_verified(request) -> bool:
    """Whether this session passed the second factor (``django_otp.login``)."""
    return DEVICE_ID_SESSION_KEY in request.session


def session_needs_second_factor(request, user) -> bool:
    if second_factor_required(user):
        return True
    enrolled = request.session.get(OPTIONAL_SECOND_FACTOR_KEY)
    if enrolled is None:
        enrolled = second_factor_enrolled(user)
        request.session[OPTIONAL_SECOND_FACTOR_KEY] = enrolled
    return enrolled


class SecondFactorMiddleware:
    #: What an unverified session may still open: the second factor's own pages, logging out
    #: (the portal's and the admin's), the language switch and the lock-out page.
    EXEMPT_NAMES = (
        "accounts:two_factor_enrol",
        "accounts:two_factor_verify",
        "accounts:logout",
        "accounts:locked",
        "admin:logout",
        "set_language",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not session_verified(request)
            and not self._exempt(request)
            and session_needs_second_factor(request, user)
        ):
            page = "accounts:two_factor_verify" if second_factor_enrolled(user) else "accounts:two_factor_enrol"
            return redirect(f"{reverse(page)}?next={quote(request.get_full_path())}")
        return self.get_response(request)

    def _exempt(self, request) -> bool:
        path = request.path_info
        if path.startswith(("/" + settings.STATIC_URL.lstrip("/"), "/" + settings.MEDIA_URL.lstrip("/"))):
            return True
        return any(path == reverse(name) for name in self.EXEMPT_NAMES)


def remember_second_factor_at_login(sender, request, user, **kwargs):
    """At login, whether this person turned the optional second factor on is settled once, so
    that pages do not ask the database again."""
    if not hasattr(request, "session"):
        return
    if second_factor_required(user):
        request.session.pop(OPTIONAL_SECOND_FACTOR_KEY, None)
    else:
        request.session[OPTIONAL_SECOND_FACTOR_KEY] = second_factor_enrolled(user)
