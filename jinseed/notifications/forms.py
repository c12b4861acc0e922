from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import KINDS, RECURRING_KINDS
from .models import NotificationPreference


class NotificationPreferenceForm(forms.ModelForm):
    inbox = forms.BooleanField(
        label=_("Portal inbox"),
        required=False,
        disabled=True,
        initial=True,
        help_text=_("Every message is kept in your portal inbox."),
    )
    recurring_email = forms.MultipleChoiceField(
        label=_("Recurring messages by email"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick a message to stop it by email; it stays in your portal inbox."),
    )

    class Meta:
        model = NotificationPreference
        fields = ["email", "sms"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = sorted(RECURRING_KINDS)
        self.fields["recurring_email"].choices = [(kind, KINDS[kind].label) for kind in kinds]
        muted = set(self.instance.email_muted_kinds or ())
        self.fields["recurring_email"].initial = [kind for kind in kinds if kind not in muted]

    def muted_kinds(self) -> list[str]:
        wanted = set(self.cleaned_data.get("recurring_email") or ())
        return sorted(RECURRING_KINDS - wanted)
