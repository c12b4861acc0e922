"""Filters of the public post list (django-filter)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import Season, TermType, Town, UnitKind
from .models import Post
from .selectors import post_keyword_match


class PostPublicFilter(django_filters.FilterSet):
    """Term and vacation, unit kind, town, keyword, and "fits my year of study".

    The last one needs the student's year, given as ``year_of_study`` by the view (the
    positions app reads no student data itself).
    """

    q = django_filters.CharFilter(label=_("Keyword"), method="filter_keyword")
    term = django_filters.ChoiceFilter(label=_("Term"), choices=TermType.choices, empty_label=_("Any term"))
    season = django_filters.ChoiceFilter(label=_("Vacation"), choices=Season.choices, empty_label=_("Any vacation"))
    kind = django_filters.ChoiceFilter(
        label=_("Unit kind"), field_name="unit__kind", choices=UnitKind.choices, empty_label=_("Any kind of unit")
    )
    town = django_filters.ChoiceFilter(
        label=_("Town"), field_name="unit__town", choices=Town.choices, empty_label=_("Any town")
    )
    fits = django_filters.BooleanFilter(
        label=_("Fits my year of study"),
        method="filter_fits",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Post
        fields: list[str] = []

    def __init__(self, *args, year_of_study: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.year_of_study = year_of_study
        if year_of_study is None:
            del self.filters["fits"]

    def filter_keyword(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(post_keyword_match(value))

    def filter_fits(self, queryset, name, value):
        if not value or self.year_of_study is None:
            return queryset
        year = self.year_of_study
        return queryset.filter(min_year_of_study__lte=year, max_year_of_study__gte=year)
