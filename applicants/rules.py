"""Who may do what with a student's profile and applications (django-rules predicates).

A student sees and acts on their own applications only; a unit coordinator sees the
applications to their unit's posts; programme staff see everything. Views check these
rules (``jinseed.authz``) on every object, templates ask the same rules to show a button.
"""

import rules
from django.contrib.auth.models import Permission
from django.db.models import Q

from jinseed.authz import add_rule, is_programme_staff, is_student
from positions.rules import is_unit_coordinator

from .enums import WITHDRAWABLE_STATUSES


@rules.predicate
def is_own_application(user, application) -> bool:
    if application is None or not is_student(user):
        return False
    profile = getattr(user, "student_profile", None)
    return profile is not None and application.student_id == profile.pk


@rules.predicate
def is_unit_coordinator_of_application(user, application) -> bool:
    if application is None or not is_unit_coordinator(user):
        return False
    coordinator = getattr(user, "coordinator", None)
    return coordinator is not None and coordinator.unit_id == application.post.unit_id


@rules.predicate
def is_withdrawable(user, application) -> bool:
    # The status the student sees decides; a held decision must not show through.
    return application is not None and application.published_status in WITHDRAWABLE_STATUSES


@rules.predicate
def is_rank_changeable(user, application) -> bool:
    return application is not None and application.is_active and application.cycle.registration_is_open()


can_view_application = is_own_application | is_unit_coordinator_of_application | is_programme_staff
can_download_resume = is_own_application | is_unit_coordinator_of_application | is_programme_staff
can_withdraw_application = is_own_application & is_withdrawable
can_change_rank = is_own_application & is_rank_changeable

add_rule("applicants.view_application", can_view_application)
add_rule("applicants.download_resume", can_download_resume)
add_rule("applicants.withdraw_application", can_withdraw_application)
add_rule("applicants.change_rank", can_change_rank)
add_rule("applicants.apply", is_student)


@rules.predicate
def holds_id_number_permission(user) -> bool:
    """The separate model permission, granted to the account or one of its groups — a
    superuser does not have it by being one."""
    return Permission.objects.filter(
        Q(user=user) | Q(group__user=user), content_type__app_label="applicants", codename="view_id_number"
    ).exists()


add_rule("applicants.view_id_number", is_programme_staff & holds_id_number_permission)
