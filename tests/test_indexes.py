"""No model keeps an index that another index of its table already serves.

Every index is written on each insert and on each update that changes one of its columns (a
status change changes them all): an allocation moves sixty thousand applications and writes as
many events and offers. An index whose columns begin another full index answers the same
lookups, so it only costs writes. Partial indexes and unique constraints with a condition
cover only some rows and serve nobody else's lookups.
"""

import pytest
from django.apps import apps
from django.db import connection, models
from django.db.models import F, Q

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


# --- applications: a status move rewrites the row, not the indexes ---------------------------

#: What moving an application between statuses writes (``StatusMachine`` sets ``updated_at``,
#: a decision published at once sets ``published_status``).
STATUS_MOVE_WRITES = {"status", "published_status", "updated_at"}


def _condition_names(condition) -> set[str]:
    names = set()
    for child in getattr(condition, "children", ()):
        names |= _condition_names(child) if isinstance(child, Q) else {child[0].split("__")[0]}
    return names


def _index_reads(model) -> set[str]:
    """The fields any index of ``model`` reads: as a column, in an expression or a condition."""
    opts = model._meta
    names = {f.name for f in opts.local_concrete_fields if f.db_index or f.unique}
    # A check constraint is no index: it reads the row, not an index, and may read anything.
    for item in [*opts.indexes, *(c for c in opts.constraints if isinstance(c, models.UniqueConstraint))]:
        names |= {name.lstrip("-") for name in getattr(item, "fields", ())}
        names |= {ref for expression in getattr(item, "expressions", ()) for ref, _ in _refs(expression)}
        names |= _condition_names(getattr(item, "condition", None))
    for fields in opts.unique_together:
        names |= set(fields)
    return names


def _refs(expression):
    if isinstance(expression, F):
        yield expression.name, expression
    for source in getattr(expression, "get_source_expressions", list)():
        yield from _refs(source)


def test_no_index_of_applications_reads_what_a_status_move_writes():
    assert {"student", "post", "cycle", "active", "submit_token"} <= _index_reads(Application)
    assert _index_reads(Application) & STATUS_MOVE_WRITES == set()


def test_the_check_sees_a_status_in_a_condition():
    assert _condition_names(Q(status__in=["a"]) | Q(post=1, published_status="b")) == {
        "status",
        "post",
        "published_status",
    }


@pytest.mark.django_db
def test_active_is_the_status_as_the_database_computes_it():
    application = ApplicationFactory()
    APPLICATION_MACHINE.move(application, S.WITHDRAWN, reason="test")
    assert Application.objects.filter(pk=application.pk, active=False).exists()
    again = ApplicationFactory(student=application.student, post=application.post, cycle=application.cycle)
    assert Application.objects.get(pk=again.pk).active is True  # the withdrawn one holds nothing


@pytest.mark.django_db
def test_a_form_with_the_status_checks_the_constraints_that_read_active():
    from django.core.exceptions import ValidationError

    held = ApplicationFactory()
    twin = Application(student=held.student, post=held.post, cycle=held.cycle, preference_rank=2, statement="x")
    with pytest.raises(ValidationError):
        twin.validate_constraints(exclude={"active"})  # as a ModelForm with the status calls it
    twin.status = S.WITHDRAWN
    twin.validate_constraints(exclude={"active"})  # a withdrawn one holds no place
    twin.status = S.SUBMITTED
    twin.validate_constraints(exclude={"active", "status"})  # a form without the status: as before


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: HOT updates and fillfactor")
def test_a_move_between_active_statuses_is_an_update_in_place():
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [Application._meta.db_table])
        assert cursor.fetchone()[0] == ["fillfactor=80"]
    application = ApplicationFactory()

    def hot_updates():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = %s",
                [Application._meta.db_table],
            )
            return cursor.fetchone()

    before = hot_updates()
    APPLICATION_MACHINE.move(application, S.SHORTLISTED, reason="test")
    assert hot_updates() == (before[0] + 1, before[1] + 1)  # one update, and it was HOT
    APPLICATION_MACHINE.move(application, S.REJECTED, reason="test")  # leaves the unique indexes
    assert hot_updates() == (before[0] + 2, before[1] + 1)
