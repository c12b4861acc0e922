"""Who may export what.

Programme staff export anything; a unit coordinator exports their own unit's rows only (the
selectors apply the limit); students and mentors nothing. ID numbers leave unmasked only for
staff who were granted the model permission ``placements.export_unmasked_id`` — to their
account or one of their groups, explicitly: a superuser does not hold it by being one, since
the demo and most staff accounts are superusers and the permission must be a deliberate grant.
"""

import rules
from django.contrib.auth.models import Permission
from django.db.models import Q

from jinseed.authz import add_rule, is_programme_staff
from positions.rules import is_unit_coordinator

UNMASKED_PERMISSION = ("placements", "export_unmasked_id")


@rules.predicate
def holds_unmasked_export_permission(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    cached = getattr(user, "_export_unmasked_cache", None)
    if cached is None:
        app_label, codename = UNMASKED_PERMISSION
        cached = Permission.objects.filter(
            Q(user=user) | Q(group__user=user), content_type__app_label=app_label, codename=codename
        ).exists()
        user._export_unmasked_cache = cached
    return cached


add_rule("office.export_all", is_programme_staff)
add_rule("office.export_own_unit", is_unit_coordinator)
add_rule("office.export_unmasked_id", is_programme_staff & holds_unmasked_export_permission)
