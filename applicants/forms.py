import datetime as dt
from collections.abc import Set

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jinseed.accounts.validators import normalize_mobile, validate_mobile

from .identity import id_birth_date, normalize_id_number, validate_id_number
from .models import StudentProfile
from .services import PROFILE_FIELDS
from .validators import validate_resume_pdf

#: How far ahead an expected graduation date may plausibly lie (a doctorate after a bachelor).
MAX_YEARS_TO_GRADUATION = 10


class ProfileForm(forms.ModelForm):
    """The student's profile. The ID number is asked for on creation and may be re-entered to
    correct it; the consent is a separate, explicit checkbox, unticked until given."""

    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=22,
        help_text=_("18 characters as on your ID card. It is stored encrypted and shown only masked."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "spellcheck": "false"}),
    )
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    year_of_study = forms.IntegerField(
        label=_("Year of study"), min_value=1, max_value=8, help_text=_("1 for first year, and so on.")
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the Golden Seed programme processes my resident ID number as described in the privacy notice."
        ),
        required=False,
    )

    class Meta:
        model = StudentProfile
        fields = list(PROFILE_FIELDS)
        widgets = {
            "expected_graduation": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["mobile"].initial = user.mobile
        if self.instance.pk and self.instance.has_id_number:
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _(
                "On file: %(masked)s. Leave empty to keep it, or enter it again to correct it."
            ) % {"masked": self.instance.id_number_masked}
        if self.instance.has_consent:
            self.fields["consent"].initial = True
            self.fields["consent"].disabled = True
            self.fields["consent"].help_text = _("Given on %(when)s.") % {
                "when": timezone.localtime(self.instance.consent_at).strftime("%Y-%m-%d %H:%M")
            }

    def clean_id_number(self) -> str:
        value = normalize_id_number(self.cleaned_data.get("id_number", ""))
        if value:
            validate_id_number(value, today=timezone.localdate())
        return value

    def clean_mobile(self) -> str:
        value = normalize_mobile(self.cleaned_data.get("mobile", ""))
        validate_mobile(value)
        return value

    def clean_expected_graduation(self) -> dt.date:
        value = self.cleaned_data["expected_graduation"]
        today = timezone.localdate()
        if value < today:
            raise forms.ValidationError(
                _("The expected graduation date is in the past: the programme is for students still enrolled."),
                code="graduation_past",
            )
        if value.year > today.year + MAX_YEARS_TO_GRADUATION:
            raise forms.ValidationError(_("Please check the expected graduation date."), code="graduation_far")
        return value

    def clean(self):
        cleaned = super().clean()
        id_number, gender = cleaned.get("id_number"), cleaned.get("gender")
        if id_number and gender:
            # The 17th character is odd for men and even for women (GB 11643).
            id_gender = "M" if int(id_number[16]) % 2 else "F"
            if id_gender != gender:
                self.add_error(
                    "id_number",
                    forms.ValidationError(
                        _("The ID number does not match the gender you chose: please check both."),
                        code="id_gender_mismatch",
                    ),
                )
        if id_number and not cleaned.get("consent") and not self.instance.has_consent:
            self.add_error(
                "consent",
                forms.ValidationError(
                    _("Please agree to the processing of your ID number: without it we cannot register you."),
                    code="consent_required",
                ),
            )
        return cleaned

    def birth_date(self) -> dt.date | None:
        value = self.cleaned_data.get("id_number")
        return id_birth_date(value) if value else None


class ApplicationForm(forms.Form):
    preference_rank = forms.TypedChoiceField(label=_("Preference"), coerce=int)
    statement = forms.CharField(
        label=_("Personal statement"),
        min_length=20,
        max_length=2000,
        help_text=_("Why this post, and what you bring to it (20–2000 characters)."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    resume = forms.FileField(
        label=_("Résumé (PDF, at most 5 MB)"),
        validators=[validate_resume_pdf],
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    submit_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, max_applications: int, taken_ranks: Set[int] = frozenset(), **kwargs):
        """``taken_ranks`` are left out of the choices shown; a submit may be built without
        them, since the service refuses a taken preference under the student's lock anyway."""
        super().__init__(*args, **kwargs)
        self.offer_ranks(max_applications=max_applications, taken_ranks=taken_ranks)

    def offer_ranks(self, *, max_applications: int, taken_ranks: Set[int] = frozenset()) -> None:
        self.fields["preference_rank"].choices = [  # type: ignore[attr-defined]
            (n, preference_label(n)) for n in range(1, max_applications + 1) if n not in taken_ranks
        ]


def preference_label(n: int) -> str:
    return _("Preference %(n)s") % {"n": n}


class PreferenceForm(forms.Form):
    """New preferences for the student's applications that can still be reordered."""

    def __init__(self, *args, applications, max_applications: int, **kwargs):
        super().__init__(*args, **kwargs)
        # In the order the student ranked them, each named with its unit: a title such as
        # 综合办公室助理 is offered by many units.
        self.applications = sorted(applications, key=lambda a: (a.preference_rank, a.pk))
        choices = [(n, preference_label(n)) for n in range(1, max_applications + 1)]
        message = _("Choose a preference for each application.")
        for application in self.applications:
            self.fields[self.field_name(application)] = forms.TypedChoiceField(
                label=f"{application.post.title} · {application.post.unit.name}",
                choices=choices,
                coerce=int,
                initial=application.preference_rank,
                error_messages={"required": message, "invalid_choice": message},
                widget=forms.Select(attrs={"class": "form-select", "id": f"rank-{application.pk}"}),
            )

    @staticmethod
    def field_name(application) -> str:
        return f"rank_{application.pk}"

    def ranks(self) -> dict[int, int]:
        return {app.pk: self.cleaned_data[self.field_name(app)] for app in self.applications}
