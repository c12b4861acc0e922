from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "jinseed.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import remember_privacy_notice_at_login

        user_logged_in.connect(remember_privacy_notice_at_login, dispatch_uid="accounts.privacy_notice_at_login")
