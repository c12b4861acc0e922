"""django-axes under a name staff can read. A module of its own: Django picks an app's
configuration from its ``apps`` module only when that module holds exactly one."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class LoginLockoutsConfig(AxesAppConfig):
    """The package brings no Chinese catalogue: its section of the admin would otherwise read
    "Axes" (its label) above English model names."""

    verbose_name = _("Login lockouts")
