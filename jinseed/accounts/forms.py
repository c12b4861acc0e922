from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import User
from .validators import normalize_mobile, validate_mobile


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Mobile number or email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "inputmode": "email"}),
    )
    error_messages = {
        "invalid_login": _(
            "The mobile number or email and the password do not match. Please check them and try again."
        ),
        "inactive": _("This account is disabled. Please contact the programme staff."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Log in"), css_class="w-100"))


class RegistrationForm(forms.Form):
    """Self-registration of a student: one account per person.

    Whether the email or mobile is already in use is not checked here: the page answers the
    same either way (``services.registration_submit`` tells the owner instead). The resident
    ID number is checked when the profile is completed, right after registration.
    """

    email = forms.EmailField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        help_text=_("11-digit mainland mobile number; you can log in with it."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    privacy = forms.BooleanField(
        label=_("I have read the privacy notice and agree that my data is processed as it says."),
        error_messages={"required": _("Please read and accept the privacy notice to create an account.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "register-form"
        # In a new tab, so that nothing typed here is lost while the notice is read.
        self.fields["privacy"].help_text = format_html(
            '<a href="{}" target="_blank" rel="noopener" data-testid="privacy-notice-link">{}</a>',
            reverse("applicants:privacy"),
            _("Read the privacy notice"),
        )
        self.helper.add_input(Submit("submit", _("Create my account"), css_class="w-100"))

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_mobile(self) -> str:
        mobile = normalize_mobile(self.cleaned_data["mobile"])
        validate_mobile(mobile)
        return mobile

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", forms.ValidationError(_("The two passwords differ."), code="password_mismatch"))
        elif p1:
            candidate = User(email=cleaned.get("email", ""), mobile=cleaned.get("mobile"))
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


DUPLICATE_ACCOUNT_MESSAGE = _(
    "An account with this address or number already exists. One person has one account: log in with it, "
    "or reset its password if you have forgotten it."
)


class PasswordResetRequestForm(PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Send me a reset link"), css_class="w-100"))


class NewPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Set my new password"), css_class="w-100"))


class CodeForm(forms.Form):
    """The 6-digit code received by SMS or email."""

    code = forms.RegexField(
        label=_("Verification code"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the 6 digits of the code.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6}),
    )


class NewMobileForm(forms.Form):
    mobile = forms.CharField(
        label=_("New mobile number"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_mobile(self) -> str:
        mobile = normalize_mobile(self.cleaned_data["mobile"])
        validate_mobile(mobile)
        if User.objects.filter(mobile=mobile).exclude(pk=cast(Any, getattr(self.user, "pk", None))).exists():
            raise forms.ValidationError(DUPLICATE_ACCOUNT_MESSAGE, code="duplicate_mobile")
        return mobile


class NewEmailForm(forms.Form):
    email = forms.EmailField(label=_("New email"), max_length=254)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=cast(Any, getattr(self.user, "pk", None))).exists():
            raise forms.ValidationError(DUPLICATE_ACCOUNT_MESSAGE, code="duplicate_email")
        return email


class AuthenticatorCodeForm(forms.Form):
    """The 6-digit code an authenticator app shows now (enrolment)."""

    code = forms.RegexField(
        label=_("Code shown by the app"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={
            "invalid": _("Enter the 6 digits your authenticator app shows."),
            "required": _("Enter the 6 digits your authenticator app shows."),
        },
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 7, "autofocus": True}
        ),
    )


class SecondFactorForm(forms.Form):
    """At login: the app's current code, or one of the recovery codes."""

    code = forms.CharField(
        label=_("Code from the authenticator app, or a recovery code"),
        max_length=24,
        error_messages={"required": _("Enter the code your authenticator app shows, or a recovery code.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )
