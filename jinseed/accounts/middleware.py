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
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from .models import Consent

SESSION_KEY = "privacy_notice_accepted"


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
