from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NotificationPreference


class NotificationPreferenceForm(forms.ModelForm):
    inbox = forms.BooleanField(
        label=_("Portal inbox"),
        required=False,
        disabled=True,
        initial=True,
        help_text=_("Every message is kept in your portal inbox."),
    )

    class Meta:
        model = NotificationPreference
        fields = ["email", "sms"]
