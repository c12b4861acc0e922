from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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
