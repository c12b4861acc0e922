from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacementsConfig(AppConfig):
    name = "placements"
    verbose_name = _("Interviews and placements")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the receivers)
