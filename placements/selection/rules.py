"""Who may act in the selection (django-rules predicates).

A unit coordinator acts for their own unit only: every object is checked against
``user.coordinator.unit_id``, and the selectors also scope their querysets to it, so an id
changed in a URL gives a 404. Programme staff oversee the selection across units (the
overview page and the admin) but do not act inside a unit's workspace, which always needs a
unit. Students answer their own offers and book their own interviews.

The rules live in the portal's rule set (``jinseed.authz``), not in Django's permissions,
because Django grants every permission to a superuser and the workspace must still refuse a
staff account that has no unit.
"""

import rules

from applicants.rules import is_own_application
from jinseed.authz import add_rule, is_programme_staff, is_student
from positions.models import HostUnit
from positions.rules import is_unit_coordinator


def _unit_id_of(obj) -> int | None:
    """The host unit an object of the selection belongs to (itself for a unit)."""
    if isinstance(obj, HostUnit):
        return obj.pk
    for path in ("unit_id", "post.unit_id", "application.post.unit_id"):
        target = obj
        try:
            for part in path.split("."):
                target = getattr(target, part)
        except AttributeError:
            continue
        if target is not None:
            return target
    return None


@rules.predicate
def is_unit_coordinator_of(user, obj) -> bool:
    if obj is None or not is_unit_coordinator(user):
        return False
    return user.coordinator.unit_id == _unit_id_of(obj)


@rules.predicate
def is_own_offer(user, offer) -> bool:
    if offer is None or not is_student(user):
        return False
    profile = getattr(user, "student_profile", None)
    return profile is not None and offer.student_id == profile.pk


add_rule("selection.use_unit_workspace", is_unit_coordinator)
add_rule("selection.manage_unit_object", is_unit_coordinator_of)
#: What the selection services require of their actor for a unit's decision: the unit's
#: coordinator, or programme staff overseeing the selection.
add_rule("selection.decide_for_unit", is_unit_coordinator_of | is_programme_staff)
add_rule("selection.view_selection_overview", is_programme_staff)
add_rule("selection.close_selection", is_programme_staff)
#: The district-wide allocation round (preview and confirm): programme staff only.
add_rule("selection.allocate", is_programme_staff)
add_rule("selection.answer_offer", is_own_offer)
add_rule("selection.book_interview", is_own_application)
add_rule("selection.use_student_selection", is_student)
