"""No model keeps an index that another index of its table already serves.

Every index is written on each insert and on each update that changes one of its columns (a
status change changes them all): an allocation moves sixty thousand applications and writes as
many events and offers. An index whose columns begin another full index answers the same
lookups, so it only costs writes. Partial indexes and unique constraints with a condition
cover only some rows and serve nobody else's lookups.
"""

from django.apps import apps
from django.db import models

OURS = {"accounts", "applicants", "positions", "placements", "notifications", "jobs", "audit", "privacy"}


def _full_indexes(model) -> list[tuple[str, tuple[str, ...], bool]]:
    """(name, columns, unique) of each index of ``model`` that covers every row."""
    opts = model._meta
    found = []
    for field in opts.local_concrete_fields:
        if field.primary_key or field.unique:
            found.append((field.name, (field.column,), True))
        elif field.db_index:
            found.append((field.name, (field.column,), False))
    for index in opts.indexes:
        if index.condition is None and index.fields:
            columns = tuple(opts.get_field(name.lstrip("-")).column for name in index.fields)
            found.append((index.name, columns, False))
    for constraint in opts.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.condition is None and constraint.fields:
            found.append((constraint.name, tuple(opts.get_field(n).column for n in constraint.fields), True))
    for fields in opts.unique_together:
        found.append(("unique_together", tuple(opts.get_field(n).column for n in fields), True))
    return found


def redundant_indexes(model) -> list[str]:
    """The non-unique indexes of ``model`` whose columns begin a longer full index."""
    indexes = _full_indexes(model)
    return [
        f"{model._meta.label}.{name} {columns} is served by {other_name} {other}"
        for name, columns, unique in indexes
        if not unique
        for other_name, other, _unique in indexes
        if len(other) > len(columns) and other[: len(columns)] == columns
    ]


def test_no_index_repeats_the_start_of_another():
    models_ = [m for m in apps.get_models() if m._meta.app_label in OURS and m._meta.managed]
    assert len(models_) > 20  # the check sees the project's models
    assert [line for model in models_ for line in redundant_indexes(model)] == []


def test_the_check_finds_a_foreign_key_index_a_composite_begins_with():
    class Parent(models.Model):  # noqa: DJ008 - never shown
        class Meta:
            app_label = "tests"

    class Child(models.Model):  # noqa: DJ008 - never shown
        parent = models.ForeignKey(Parent, on_delete=models.CASCADE)
        at = models.DateTimeField()

        class Meta:
            app_label = "tests"
            indexes = [models.Index(fields=["parent", "at"], name="child_parent_at_idx")]

    assert redundant_indexes(Child) == [
        "tests.Child.parent ('parent_id',) is served by child_parent_at_idx ('parent_id', 'at')"
    ]
