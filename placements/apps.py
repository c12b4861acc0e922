from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacementsConfig(AppConfig):
    name = "placements"
    verbose_name = _("Interviews and placements")

    def ready(self) -> None:
        # Connects the receivers, registers both halves' rules, periodic notification hooks and
        # Celery tasks (Django and Celery look only for ``<app>.<module>``).
        import placements.cultivation.rules
        import placements.office.exports.kinds
        import placements.office.exports.rules
        import placements.office.rules
        import placements.office.tasks
        import placements.privacy.rules
        import placements.privacy.tasks
        import placements.receivers
        import placements.selection.notification_hooks
        import placements.selection.rules
        import placements.selection.tasks  # noqa: F401
        from jinseed.jobs.registry import job_kind_register
        from placements.office.exports.services import export_file_rule

        job_kind_register(
            "office.export",
            handler="placements.office.exports.services.export_job",
            label=_("Data export"),
            file_rule=export_file_rule,
            personal_data=True,
        )
        job_kind_register(
            "privacy.personal_data_export",
            handler="placements.privacy.services.export.personal_data_export_job",
            label=_("Copy of a student's personal data"),
            file_link_only=True,
            personal_data=True,
        )
        job_kind_register(
            "placements.allocation_preview",
            handler="placements.selection.services.allocation.allocation_preview_job",
            label=_("Allocation preview"),
        )
        job_kind_register(
            "placements.selection_close",
            handler="placements.selection.services.closing.cycle_selection_close_job",
            label=_("Closing the selection"),
        )
        job_kind_register(
            "placements.allocation_confirm",
            handler="placements.selection.services.allocation.allocation_confirm_job",
            label=_("Allocation confirmation"),
        )
