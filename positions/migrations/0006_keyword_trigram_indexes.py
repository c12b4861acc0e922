"""Trigram indexes for the post list's keyword search (``positions.models.keyword_index``).

PostgreSQL only: ``pg_trgm`` and GIN indexes do not exist on SQLite, where both operations
below leave the schema alone (the model state still records the indexes, so that
``makemigrations`` sees nothing to do). Creating the extension needs a role allowed to (the
database owner on PostgreSQL 13 and later, since ``pg_trgm`` is a trusted extension).
"""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.conf import settings
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class AddIndexOnPostgreSQL(migrations.AddIndex):
    """``AddIndex`` for an index only PostgreSQL can build; elsewhere the state alone changes."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def _trigram(column, name):
    return django.contrib.postgres.indexes.GinIndex(
        django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper(column), name="gin_trgm_ops"),
        name=name,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("positions", "0005_post_import_confirm_once"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        TrigramExtension(),
        AddIndexOnPostgreSQL(model_name="hostunit", index=_trigram("name", "unit_name_trgm_idx")),
        AddIndexOnPostgreSQL(model_name="post", index=_trigram("title", "post_title_trgm_idx")),
        AddIndexOnPostgreSQL(model_name="post", index=_trigram("description", "post_description_trgm_idx")),
        AddIndexOnPostgreSQL(model_name="post", index=_trigram("duties", "post_duties_trgm_idx")),
    ]
