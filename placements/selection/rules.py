"""Who may act in the selection (django-rules predicates).

A unit coordinator acts for their own unit only: every object is checked against
``user.coordinator.unit_id``, and the selectors also scope their querysets to it, so an id
changed in a URL gives a 404. Programme staff oversee the selection across units (the
overview page and the admin) but do not act inside a unit's workspace, which always needs a
unit. Students answer their own offers and book their own interviews.

The rules are registered as a rule set of their own (``rules.test_rule``) rather than as
permissions, because Django grants every permission to a superuser and the workspace must
still refuse a staff account that has no unit.
"""

import rules

from jinseed.accounts.enums import Role


def _unit_id_of(obj) -> int | None:
    """The host unit an object of the selection belongs to."""
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
def is_unit_coordinator(user) -> bool:
    if not (user and user.is_authenticated and user.is_active and user.role == Role.COORDINATOR):
        return False
    return getattr(user, "coordinator", None) is not None


@rules.predicate
def is_unit_coordinator_of(user, obj) -> bool:
    if obj is None or not is_unit_coordinator(user):
        return False
    return user.coordinator.unit_id == _unit_id_of(obj)


@rules.predicate
def is_programme_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_programme_staff)


@rules.predicate
def is_student(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_student)


@rules.predicate
def is_own_offer(user, offer) -> bool:
    if offer is None or not is_student(user):
        return False
    profile = getattr(user, "student_profile", None)
    return profile is not None and offer.student_id == profile.pk


@rules.predicate
def is_own_application(user, application) -> bool:
    if application is None or not is_student(user):
        return False
    profile = getattr(user, "student_profile", None)
    return profile is not None and application.student_id == profile.pk


selection_rules = rules.RuleSet()
selection_rules.add_rule("use_unit_workspace", is_unit_coordinator)
selection_rules.add_rule("manage_unit_object", is_unit_coordinator_of)
selection_rules.add_rule("view_selection_overview", is_programme_staff)
selection_rules.add_rule("answer_offer", is_own_offer)
selection_rules.add_rule("book_interview", is_own_application)
selection_rules.add_rule("use_student_selection", is_student)


def can(name: str, user, obj=None) -> bool:
    return selection_rules.test_rule(name, user, obj)
