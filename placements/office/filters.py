"""The alumni list's filters (django-filter): over the completed placements, by their answer."""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from jinseed.forms import ModelChoiceField
from placements.cultivation.enums import AlumniActivity, AlumniSource
from placements.models import AlumniRecord
from positions.models import Cycle

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class CycleFilter(django_filters.ModelChoiceFilter):
    field_class = ModelChoiceField  # refuses out-of-range ids like every model choice of the portal


def _record(**lookup):
    return Exists(AlumniRecord.objects.filter(student=OuterRef("student"), cycle=OuterRef("post__cycle"), **lookup))


class AlumniFilter(django_filters.FilterSet):
    cycle = CycleFilter(label=_("Cycle"), field_name="post__cycle", queryset=Cycle.objects.order_by("-year"))
    status = django_filters.ChoiceFilter(
        label=_("Now"),
        choices=[("none", _("Not answered yet")), *AlumniActivity.choices],
        method="filter_status",
    )
    back_in_jinshan = django_filters.ChoiceFilter(label=_("Back in Jinshan"), choices=YES_NO, method="filter_back")
    consent = django_filters.ChoiceFilter(label=_("May be contacted"), choices=YES_NO, method="filter_consent")
    source = django_filters.ChoiceFilter(label=_("Source"), choices=AlumniSource.choices, method="filter_source")

    def filter_status(self, queryset, name, value):
        if value == "none":
            return queryset.filter(~_record())
        return queryset.filter(_record(activity=value))

    def filter_back(self, queryset, name, value):
        return queryset.filter(_record(back_in_jinshan=value == "yes"))

    def filter_consent(self, queryset, name, value):
        return queryset.filter(_record(contact_consent=value == "yes"))

    def filter_source(self, queryset, name, value):
        return queryset.filter(_record(source=value))
