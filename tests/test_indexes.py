"""No model keeps an index that another index of its table already serves, and the database
checks what the models state (every foreign key, the applications' constraints).

Every index is written on each insert and on each update that changes one of its columns. An
index whose columns begin another full index answers the same lookups, so it only costs
writes. Partial indexes and unique constraints with a condition cover only some rows and
serve nobody else's lookups.
"""

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction

from applicants.enums import ApplicationStatus as S
from applicants.models import Application
from applicants.services import APPLICATION_MACHINE
from tests.factories import ApplicationFactory

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


# --- the database checks what the models state --------------------------------------------


def _is_configuration_history(model) -> bool:
    """django-simple-history's tables (and their m2m tables) keep no constraints on purpose: a
    history row outlives the cycle, post or account it describes."""
    return hasattr(model, "instance_type") or model.__name__.startswith("Historical")


def test_every_foreign_key_of_our_apps_is_a_database_constraint():
    models_ = [
        m
        for m in apps.get_models()
        if m._meta.app_label in OURS and m._meta.managed and not _is_configuration_history(m)
    ]
    unchecked = [
        f"{model._meta.label}.{field.name}"
        for model in models_
        for field in model._meta.local_fields
        if field.is_relation and field.many_to_one and not field.db_constraint
    ]
    assert unchecked == []


@pytest.mark.django_db
def test_applications_keep_their_status_indexes_and_active_constraints():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Application._meta.db_table)
    assert constraints["application_post_status_idx"]["columns"] == ["post_id", "status"]
    assert constraints["application_cycle_status_idx"]["columns"] == ["cycle_id", "status"]
    assert constraints["application_one_active_per_post"]["unique"] is True
    assert constraints["application_unique_rank"]["unique"] is True
    assert "active" not in {
        c.name for c in connection.introspection.get_table_description(connection.cursor(), Application._meta.db_table)
    }


@pytest.mark.django_db
def test_a_second_active_application_to_the_same_post_is_refused_by_the_database():
    held = ApplicationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            student=held.student, post=held.post, cycle=held.cycle, preference_rank=2, statement="x"
        )
    APPLICATION_MACHINE.move(held, S.WITHDRAWN, reason="test")
    again = ApplicationFactory(
        student=held.student, post=held.post, cycle=held.cycle
    )  # the withdrawn one holds nothing
    assert again.pk != held.pk


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: storage parameters")
def test_applications_keep_the_default_fillfactor():
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [Application._meta.db_table])
        assert cursor.fetchone()[0] is None
