"""The configuration history: who changed a cycle, a unit, a post, a group or an account's
roles and permissions, when, and from what to what (django-simple-history).

The models that hold configuration declare ``history = ConfigurationHistory(...)``; the
admin shows each change's fields old → new on the object's history page
(``simple_history.admin.SimpleHistoryAdmin``), and ``HistoryRequestMiddleware`` names the
signed-in user as the author. Reverting from the history is switched off
(``SIMPLE_HISTORY_REVERT_DISABLED``): a change goes through the services and their checks.
"""

from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import HistoricalRecords
from simple_history.template_utils import HistoricalRecordContextHelper


class ConfigurationHistory(HistoricalRecords):
    """``HistoricalRecords`` that skips a save which wrote only fields the history leaves out
    (a login's ``last_login``, a language switch), so that such saves add no empty entries."""

    def post_save(self, instance, created, using=None, **kwargs):
        update_fields = kwargs.get("update_fields")
        if not created and update_fields is not None and set(update_fields) <= set(self.excluded_fields):
            return
        super().post_save(instance, created, using=using, **kwargs)


class ChoiceLabelsContextHelper(HistoricalRecordContextHelper):
    """Shows a field with choices by its label (学生 → 团区委工作人员), as the change form does."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.choices and not isinstance(value, list):
            return dict(field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)


class ConfigurationHistoryAdmin(SimpleHistoryAdmin):
    """The admin of a model with a ``ConfigurationHistory``: its history page lists each
    change's fields, old → new, and who made it."""

    object_history_list_template = "admin/configuration_history_list.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return ChoiceLabelsContextHelper(self.model, historical_record)
