from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacementsConfig(AppConfig):
    name = "placements"
    verbose_name = _("Interviews and placements")

    def ready(self) -> None:
        # Connects the receivers, registers both halves' rules, periodic notification hooks and
        # Celery tasks (Django and Celery look only for ``<app>.<module>``).
        from jinseed.jobs.registry import job_kind_register
        from placements import receivers  # noqa: F401
        from placements.cultivation import rules as cultivation_rules  # noqa: F401
        from placements.selection import notification_hooks, tasks  # noqa: F401
        from placements.selection import rules as selection_rules  # noqa: F401

        job_kind_register(
            "placements.allocation_preview",
            handler="placements.selection.services.allocation.allocation_preview_job",
            label=_("Allocation preview"),
        )
        job_kind_register(
            "placements.allocation_confirm",
            handler="placements.selection.services.allocation.allocation_confirm_job",
            label=_("Allocation confirmation"),
        )
