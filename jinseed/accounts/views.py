from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.http import require_POST

from .enums import Role
from .forms import DUPLICATE_ACCOUNT_MESSAGE, RegistrationForm
from .models import User


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


def register(request):
    """A student creates their account, is logged in and goes on to the profile."""
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password1"],
                    mobile=form.cleaned_data["mobile"],
                    role=Role.STUDENT,
                    language=getattr(request, "LANGUAGE_CODE", "zh-hans") or "zh-hans",
                )
        except IntegrityError:  # the same address registered in the same instant
            form.add_error(None, DUPLICATE_ACCOUNT_MESSAGE)
        else:
            login(request, user, backend="jinseed.accounts.backends.EmailOrMobileBackend")
            messages.success(request, _("Your account is created. Please complete your profile."))
            return redirect("applicants:profile_edit")
    # A refused registration comes back with what was typed (the passwords excepted) and 400.
    return render(request, "accounts/register.html", {"form": form}, status=400 if form.is_bound else 200)


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice on the user's account so
    that their messages (email, SMS) arrive in it too."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES) and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response
