"""Receivers of the extension points of the apps ``placements`` builds on.

Connected from ``PlacementsConfig.ready``. Each receiver only hands over to a service, which
runs in the sender's transaction.
"""

from django.dispatch import receiver

from applicants.signals import application_withdrawn

from . import services


@receiver(application_withdrawn, dispatch_uid="placements.application_withdrawn")
def application_withdrawn_settle(sender, *, application, actor, **kwargs) -> None:
    services.application_withdrawal_settle(application=application, actor=actor)
