"""Who acts for a host unit (django-rules predicates shared by the apps built on positions)."""

import rules

from jinseed.accounts.enums import Role
from jinseed.authz import is_signed_in


@rules.predicate
def is_unit_coordinator(user) -> bool:
    """An active coordinator account attached to a unit (``UnitCoordinator``)."""
    if not (is_signed_in(user) and user.role == Role.COORDINATOR):
        return False
    return getattr(user, "coordinator", None) is not None
