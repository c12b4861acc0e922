"""Who acts for a host unit, and who may import posts (rules in the portal's rule set).

The import must refuse an account that is staff in the Django sense but not programme staff,
which a superuser-friendly ``has_perm`` alone would not: it needs both.
"""

import rules

from jinseed.accounts.enums import Role
from jinseed.authz import add_rule, is_programme_staff, is_signed_in


@rules.predicate
def is_unit_coordinator(user) -> bool:
    """An active coordinator account attached to a unit (``UnitCoordinator``)."""
    if not (is_signed_in(user) and user.role == Role.COORDINATOR):
        return False
    return getattr(user, "coordinator", None) is not None


@rules.predicate
def may_add_and_change_posts(user) -> bool:
    # Model permissions of the admin (a staff group grants them); not object permissions.
    return user.has_perm("positions.add_post") and user.has_perm("positions.change_post")


add_rule("positions.import_posts", is_programme_staff & may_add_and_change_posts)
