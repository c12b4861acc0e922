"""The coordinator's filter of a post's applicants (django-filter, like the public post list)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from applicants.enums import ApplicationStatus
from applicants.models import Application


class ApplicantFilter(django_filters.FilterSet):
    """Status, university (part of the name), year of study, eligibility flag, preference."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=ApplicationStatus.choices, empty_label=_("Any"))
    university = django_filters.CharFilter(
        label=_("University"), field_name="student__university", lookup_expr="icontains", max_length=120
    )
    year_of_study = django_filters.NumberFilter(
        label=_("Year of study"), field_name="student__year_of_study", min_value=1, max_value=8
    )
    eligibility = django_filters.ChoiceFilter(
        label=_("Eligibility"),
        choices=[("flagged", _("Flagged by a rule")), ("clear", _("No flag"))],
        empty_label=_("Any"),
        method="filter_eligibility",
    )
    preference_rank = django_filters.NumberFilter(label=_("Preference"), min_value=1, max_value=10)

    class Meta:
        model = Application
        fields: list[str] = []

    def filter_eligibility(self, queryset, name, value):
        return queryset.filter(needs_review=value == "flagged")
