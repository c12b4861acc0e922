"""The form a unit coordinator proposes or edits a post with (before staff approve it)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jinseed.forms import ModelChoiceField

from .enums import CycleStatus, TermType
from .models import Cycle, Post


class PostProposalForm(forms.ModelForm):
    cycle = ModelChoiceField(
        label=_("Cycle"), queryset=Cycle.objects.exclude(status=CycleStatus.ARCHIVED).order_by("-year")
    )

    class Meta:
        model = Post
        fields = [
            "cycle",
            "title",
            "description",
            "duties",
            "requirements",
            "term",
            "season",
            "min_year_of_study",
            "max_year_of_study",
            "preferred_majors",
            "headcount",
            "place_of_work",
            "starts_on",
            "ends_on",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "duties": forms.Textarea(attrs={"rows": 3}),
            "requirements": forms.Textarea(attrs={"rows": 2}),
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        data = super().clean()
        term, season = data.get("term"), data.get("season")
        if term == TermType.SHORT and not season:
            self.add_error("season", _("Say which vacation a short-term post is in."))
        if term == TermType.LONG and season:
            self.add_error("season", _("A long-term post is not tied to a vacation."))
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The post cannot end before it starts."))
        low, high = data.get("min_year_of_study"), data.get("max_year_of_study")
        if low and high and high < low:
            self.add_error("max_year_of_study", _("The range of years of study is upside down."))
        return data

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "cycle"}
