"""Form fields shared by every app.

An object chosen in a form arrives as its id. Django checks a single id with an ``exact``
lookup, which tolerates any integer, but a multiple choice goes through ``pk__in``, and an
id beyond the database's 64-bit range makes SQLite raise ``OverflowError`` (a 500) instead
of the form error any other unknown id gets. These fields refuse ids outside
``1..MAX_ID`` before the query, with the field's own translated "not a valid choice"
message. Use them for every model choice, in plain forms and, through
``Meta.field_classes``, in model forms.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

#: The largest id a 64-bit primary key can hold (PostgreSQL ``bigint``, SQLite ``INTEGER``).
MAX_ID = 2**63 - 1


def _integer_key(queryset, to_field_name: str | None) -> bool:
    field = queryset.model._meta.get_field(to_field_name) if to_field_name else queryset.model._meta.pk
    return isinstance(field, models.IntegerField | models.AutoField)


def id_in_range(value) -> bool:
    """Whether ``value`` is an integer the database can compare with an id; a value that is
    not an integer at all is left to Django's own check."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return True
    return 1 <= number <= MAX_ID


class ModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if (
            value not in self.empty_values
            and _integer_key(self.queryset, self.to_field_name)
            and not id_in_range(value)
        ):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        if _integer_key(self.queryset, self.to_field_name):
            try:
                values = frozenset(value)
            except TypeError:
                values = frozenset()  # Django reports a value that is not a list itself
            for pk in values:
                if not id_in_range(pk):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super()._check_values(value)
