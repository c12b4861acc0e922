"""Forms of the unit workspace and of the student's side of the selection."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jinseed.forms import ModelChoiceField, ModelMultipleChoiceField
from placements.models import InterviewSlot
from placements.selection.enums import InterviewMode, InterviewOutcome, RejectionReason


class DecisionForm(forms.Form):
    DECISIONS = [("shortlist", _("Shortlist for interview")), ("reject", _("Do not shortlist"))]

    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS)
    reason_code = forms.ChoiceField(label=_("Reason"), required=False, choices=[("", "—"), *RejectionReason.choices])
    reason_text = forms.CharField(
        label=_("In your own words"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("reason_code"):
            self.add_error("reason_code", _("Choose a reason when not shortlisting."))
        if data.get("reason_code") == RejectionReason.OTHER and not (data.get("reason_text") or "").strip():
            self.add_error("reason_text", _("Say why when the reason is “Other reason”."))
        return data


class BulkDecisionForm(DecisionForm):
    applications = ModelMultipleChoiceField(label=_("Applicants"), queryset=None)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = queryset
        self.fields["applications"].error_messages["required"] = _("Tick at least one applicant.")


class ReviewForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes for the unit's reviewers"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.name,
                help_text=criterion.description,
                choices=[(i, str(i)) for i in range(1, 6)],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Give every criterion a score from 1 to 5."),
                    "invalid_choice": _("Give every criterion a score from 1 to 5."),
                },
            )

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"criterion_{c.pk}"] for c in self.criteria}


def post_label_with_year(post) -> str:
    """A post named so that the same title in two cycles can be told apart."""
    return _("%(title)s (cycle %(year)s)") % {"title": post.title, "year": post.cycle.year}


class SlotForm(forms.ModelForm):
    starts_at = forms.DateTimeField(
        label=_("Starts (Beijing time)"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    meeting_link = forms.URLField(label=_("Meeting link"), required=False, assume_scheme="https")

    class Meta:
        model = InterviewSlot
        fields = [
            "post",
            "starts_at",
            "duration_minutes",
            "mode",
            "meeting_link",
            "address",
            "interviewers",
            "capacity",
            "self_booking",
        ]
        widgets = {"interviewers": forms.CheckboxSelectMultiple}
        field_classes = {"post": ModelChoiceField, "interviewers": ModelMultipleChoiceField}

    def __init__(self, *args, posts, interviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = posts
        self.fields["post"].label_from_instance = post_label_with_year
        self.fields["interviewers"].queryset = interviewers

    def clean_starts_at(self):
        value = self.cleaned_data["starts_at"]
        if value <= timezone.now():
            raise forms.ValidationError(_("Choose a time in the future."))
        return value

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode == InterviewMode.VIDEO and not data.get("meeting_link"):
            self.add_error("meeting_link", _("A video interview needs a meeting link."))
        if mode == InterviewMode.ON_SITE and not data.get("address"):
            self.add_error("address", _("An on-site interview needs an address."))
        return data


class AssignForm(forms.Form):
    application = ModelChoiceField(label=_("Shortlisted applicant"), queryset=None)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = queryset
        self.fields["application"].label_from_instance = lambda a: f"{a.student.legal_name} · {a.post.title}"


class RescheduleForm(forms.Form):
    slot = ModelChoiceField(label=pgettext_lazy("reschedule", "Move to slot"), queryset=None)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = queryset
        self.fields["slot"].label_from_instance = lambda s: (
            f"{timezone.localtime(s.starts_at):%Y-%m-%d %H:%M} · {s.get_mode_display()}"
            + (f" · {s.post.title}" if s.post_id else "")
        )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (the student reads it)"), required=False, max_length=300)


class RecordForm(forms.Form):
    attended = forms.TypedChoiceField(
        label=_("Attendance"),
        choices=[("1", _("Attended")), ("0", _("Did not attend"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    score = forms.IntegerField(label=_("Score (0–100)"), required=False, min_value=0, max_value=100)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=[("", "—"), *InterviewOutcome.choices])
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("attended") and not data.get("outcome"):
            self.add_error("outcome", _("Choose the outcome of the interview."))
        return data


class RankingForm(forms.Form):
    """A rank (1 = first choice) for each interviewed applicant of a post; blank leaves one out."""

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.applications = applications
        for application in applications:
            self.fields[self.field_name(application)] = forms.IntegerField(
                label=_("Rank"),
                required=False,
                min_value=1,
                initial=application.selection_rank,
                error_messages={"invalid": _("Ranks are whole numbers.")},
                widget=forms.NumberInput(
                    attrs={
                        "min": 1,
                        "class": "form-control form-control-sm rank-input",
                        "form": "ranking-form",
                        "aria-label": f"{_('Rank')} {application.student.legal_name}",
                    }
                ),
            )

    @staticmethod
    def field_name(application) -> str:
        return f"rank_{application.pk}"

    def ordered_ids(self) -> list[int]:
        ranked = [
            (self.cleaned_data[self.field_name(app)], app.pk)
            for app in self.applications
            if self.cleaned_data.get(self.field_name(app)) is not None
        ]
        return [pk for _rank, pk in sorted(ranked)]
