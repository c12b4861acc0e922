from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "jinseed.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        sms_settings_check()


def sms_settings_check() -> None:
    """With DEBUG off and a template provider chosen, refuse to start when a setting is missing
    or a message kind that may go by SMS has no template code: such a message would fail only
    when a student is waiting for it."""
    from .sms import TEMPLATE_BACKENDS
    from .sms_templates import SMS_KINDS

    if settings.DEBUG or settings.SMS_BACKEND not in TEMPLATE_BACKENDS:
        return
    needed = ["SMS_ACCESS_KEY_ID", "SMS_ACCESS_KEY_SECRET", "SMS_SIGN_NAME"]
    if settings.SMS_BACKEND.endswith("TencentSmsBackend"):
        needed.append("SMS_TENCENT_SDK_APP_ID")
    missing = [name for name in needed if not getattr(settings, name, "")]
    if missing:
        raise ImproperlyConfigured(f"DEBUG is off and SMS_BACKEND is {settings.SMS_BACKEND}: set {', '.join(missing)}.")
    templates = settings.SMS_TEMPLATES or {}
    without = [kind for kind in SMS_KINDS if not templates.get(kind)]
    if without:
        raise ImproperlyConfigured(
            f"DEBUG is off and SMS_BACKEND is {settings.SMS_BACKEND}: SMS_TEMPLATES has no template code for "
            f"{', '.join(without)} (see docs/sms.md)."
        )
