"""Forms of cultivation: they validate input; the services in ``cultivation.py`` decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jinseed.forms import ModelChoiceField
from placements.cultivation.enums import ActivityMode, AlumniActivity, FeedbackTopic, Grade
from placements.models import AlumniRecord, Mentor

SCORE_CHOICES = [(i, str(i)) for i in range(1, 6)]


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if value and hasattr(value, "strftime"):
            from django.utils import timezone

            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


class OnboardingForm(forms.Form):
    mentor = ModelChoiceField(label=_("Mentor"), queryset=Mentor.objects.none(), required=False)
    starts_on = forms.DateField(label=_("Starts"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ends"), widget=DateInput)
    report_place = forms.CharField(label=_("Reporting place"), max_length=200)
    report_at = forms.DateTimeField(label=_("Reporting time"), widget=DateTimeInput)
    notes = forms.CharField(label=_("Notes for the student"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = Mentor.objects.filter(unit=unit).select_related("user")

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The placement cannot end before it starts."))
        return data


class AssessmentForm(forms.Form):
    attendance = forms.TypedChoiceField(label=_("Attendance"), choices=SCORE_CHOICES, coerce=int)
    work_quality = forms.TypedChoiceField(label=_("Work quality"), choices=SCORE_CHOICES, coerce=int)
    initiative = forms.TypedChoiceField(label=_("Initiative"), choices=SCORE_CHOICES, coerce=int)
    teamwork = forms.TypedChoiceField(label=_("Teamwork"), choices=SCORE_CHOICES, coerce=int)
    proposed_grade = forms.ChoiceField(label=_("Proposed grade"), choices=Grade.choices)
    comments = forms.CharField(label=_("Comments"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class GradeForm(forms.Form):
    grade = forms.ChoiceField(label=_("Final grade"), choices=Grade.choices)
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=500,
        help_text=_("Required once the grade is confirmed: the change is audited."),
    )


class TermSwitchForm(forms.Form):
    to_starts_on = forms.DateField(label=_("New start date"), widget=DateInput)
    to_ends_on = forms.DateField(label=_("New end date"), widget=DateInput)
    reason = forms.CharField(label=_("Why switch?"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("to_starts_on") and data.get("to_ends_on") and data["to_ends_on"] < data["to_starts_on"]:
            self.add_error("to_ends_on", _("The new term cannot end before it starts."))
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
        error_messages={"required": _("Choose approve or refuse."), "invalid_choice": _("Choose approve or refuse.")},
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        max_length=200,
        error_messages={"required": _("Say why the certificate is revoked.")},
    )


class FeedbackForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), choices=FeedbackTopic.choices)
    body = forms.CharField(label=_("Opinion or suggestion"), widget=forms.Textarea(attrs={"rows": 4}))
    anonymous_to_unit = forms.BooleanField(
        label=_("Anonymous to my unit"),
        required=False,
        help_text=_("Your unit will not see your name; programme staff still do."),
    )


class ActivityProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    mode = forms.ChoiceField(label=_("Mode"), choices=ActivityMode.choices)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    stream_url = forms.URLField(label=_("Livestream link"), required=False, assume_scheme="https")
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=1000, initial=30)

    def clean(self):
        data = super().clean()
        if data.get("mode") == ActivityMode.ON_SITE and not data.get("place"):
            self.add_error("place", _("An on-site activity needs a place."))
        if data.get("mode") == ActivityMode.LIVESTREAM and not data.get("stream_url"):
            self.add_error("stream_url", _("A livestreamed activity needs a link."))
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The activity must end after it starts."))
        return data


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=30)


class AlumniRecordForm(forms.ModelForm):
    """The alumni survey's answer, by the student or by staff: the same questions."""

    back_in_jinshan = forms.TypedChoiceField(
        label=_("Back in Jinshan"),
        choices=[("yes", _("Yes, I work, study or run a business in Jinshan")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = AlumniRecord
        fields = [
            "graduation_year",
            "graduation_month",
            "activity",
            "sector",
            "employer",
            "back_in_jinshan",
            "contact_consent",
        ]
        labels = {"contact_consent": _("The programme may contact me (mentoring, alumni events)")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["back_in_jinshan"] = "yes" if self.instance.back_in_jinshan else "no"

    def clean(self):
        data = super().clean()
        if data.get("activity") in (AlumniActivity.WORKING, AlumniActivity.BUSINESS) and not data.get("employer"):
            self.add_error("employer", _("Say where you work, or the name of your business."))
        return data
