"""Who may act in cultivation (django-rules predicates over a ``Placement`` and its parts).

A student sees only their own placement; a mentor only the placements they guide; a unit
coordinator only their unit's placements; programme staff every placement. Like the
selection rules, these form a rule set of their own (``can``), so that a superuser is not
waved through where the page needs a unit or a placement of their own.
"""

import rules

from placements.selection.rules import is_programme_staff, is_student, is_unit_coordinator


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
    return bool(user and user.is_authenticated and user.is_active and getattr(user, "mentor", None) is not None)


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


cultivation_rules = rules.RuleSet()
cultivation_rules.add_rule("use_my_placement", is_student)
cultivation_rules.add_rule(
    "view_placement", is_own_placement | is_mentor_of | is_coordinator_of_placement | is_programme_staff
)
cultivation_rules.add_rule("manage_onboarding", is_coordinator_of_placement | is_programme_staff)
cultivation_rules.add_rule("assess_as_mentor", is_mentor_of)
cultivation_rules.add_rule("assess_as_coordinator", is_coordinator_of_placement)
cultivation_rules.add_rule("confirm_grade", is_programme_staff)
cultivation_rules.add_rule("request_term_switch", is_own_placement)
cultivation_rules.add_rule("decide_term_switch_for_unit", is_coordinator_of_placement)
cultivation_rules.add_rule("decide_term_switch_for_programme", is_programme_staff)
cultivation_rules.add_rule("download_certificate", is_own_placement | is_coordinator_of_placement | is_programme_staff)
cultivation_rules.add_rule("manage_certificate", is_programme_staff)
cultivation_rules.add_rule("list_mentored", is_mentor)
cultivation_rules.add_rule("list_unit_placements", is_unit_coordinator)
cultivation_rules.add_rule("manage_cycle_cultivation", is_programme_staff)


def can(name: str, user, obj=None) -> bool:
    return cultivation_rules.test_rule(name, user, obj)
