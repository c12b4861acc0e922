"""A signed-in user's pages speak their preferred language.

Django's LocaleMiddleware picks the language from the cookie or the browser. A user who has
chosen a language (the switcher saves it on the account, and notifications use it) gets
that language on every device, unless the cookie of this browser says otherwise.
"""

from django.conf import settings
from django.utils import translation


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
