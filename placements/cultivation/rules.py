"""Who may act in cultivation (django-rules predicates over a ``Placement`` and its parts).

A student sees only their own placement; a mentor only the placements they guide; a unit
coordinator only their unit's placements; programme staff every placement. Like the
selection rules, they are in the portal's rule set (``jinseed.authz``), so that a superuser
is not waved through where the page needs a unit or a placement of their own.
"""

import rules

from jinseed.authz import add_rule, is_programme_staff, is_signed_in, is_student
from positions.rules import is_unit_coordinator


def _placement_of(obj):
    """The placement an object of cultivation belongs to (itself for a placement)."""
    return getattr(obj, "placement", obj)


@rules.predicate
def is_own_placement(user, obj) -> bool:
    placement = _placement_of(obj)
    if placement is None or not is_student(user):
        return False
    profile = getattr(user, "student_profile", None)
    return profile is not None and placement.student_id == profile.pk


@rules.predicate
def is_mentor(user) -> bool:
    return bool(is_signed_in(user) and getattr(user, "mentor", None) is not None)


@rules.predicate
def is_mentor_of(user, obj) -> bool:
    placement = _placement_of(obj)
    if placement is None or not is_mentor(user):
        return False
    return placement.mentor_id is not None and placement.mentor_id == user.mentor.pk


@rules.predicate
def is_coordinator_of_placement(user, obj) -> bool:
    placement = _placement_of(obj)
    if placement is None or not is_unit_coordinator(user):
        return False
    return placement.post.unit_id == user.coordinator.unit_id


add_rule("cultivation.use_my_placement", is_student)
add_rule(
    "cultivation.view_placement", is_own_placement | is_mentor_of | is_coordinator_of_placement | is_programme_staff
)
add_rule("cultivation.manage_onboarding", is_coordinator_of_placement | is_programme_staff)
add_rule("cultivation.assess_as_mentor", is_mentor_of)
add_rule("cultivation.assess_as_coordinator", is_coordinator_of_placement)
add_rule("cultivation.confirm_grade", is_programme_staff)
add_rule("cultivation.request_term_switch", is_own_placement)
add_rule("cultivation.decide_term_switch_for_unit", is_coordinator_of_placement)
add_rule("cultivation.decide_term_switch_for_programme", is_programme_staff)
add_rule("cultivation.download_certificate", is_own_placement | is_coordinator_of_placement | is_programme_staff)
add_rule("cultivation.manage_certificate", is_programme_staff)
add_rule("cultivation.list_mentored", is_mentor)
add_rule("cultivation.list_unit_placements", is_unit_coordinator)
add_rule("cultivation.manage_cycle_cultivation", is_programme_staff)
# Alumni tracking: the student answers for their own completed placement; staff send the
# survey, see every answer and record answers learnt by other means.
add_rule("cultivation.answer_alumni_survey", is_own_placement)
add_rule("cultivation.manage_alumni", is_programme_staff)
