"""Receivers of the extension points of the apps ``placements`` builds on.

Connected from ``PlacementsConfig.ready``. Each receiver only hands over to a service, which
runs in the sender's transaction.
"""

from django.dispatch import receiver

from applicants.signals import application_withdrawn
from placements.selection import services
from positions.signals import cycle_timeline_changed


@receiver(application_withdrawn, dispatch_uid="placements.application_withdrawn")
def application_withdrawn_settle(sender, *, application, actor, **kwargs) -> None:
    services.application_withdrawal_settle(application=application, actor=actor)


@receiver(cycle_timeline_changed, dispatch_uid="placements.cycle_timeline_changed")
def cycle_timeline_follow(sender, *, cycle, changed_fields, **kwargs) -> None:
    if "announcement_at" in changed_fields:
        services.cycle_announcement_follow(cycle=cycle)
