from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PositionsConfig(AppConfig):
    name = "positions"
    verbose_name = _("Cycles, units and posts")

    def ready(self):
        from jinseed.jobs.registry import job_kind_register

        from .pagecache import receivers_connect

        receivers_connect()

        job_kind_register(
            "positions.post_import", handler="positions.imports.services.post_import_job", label=_("Post import")
        )
        job_kind_register(
            "positions.post_import_preview",
            handler="positions.imports.services.post_import_preview_job",
            label=_("Post import preview"),
        )
