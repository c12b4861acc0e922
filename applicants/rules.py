"""Who may do what with a student's profile and applications (django-rules predicates).

A student sees and acts on their own applications only; a unit coordinator sees the
applications to their unit's posts; programme staff see everything. Views check these
permissions on every object, templates ask the same predicates to show a button.
"""

import rules

from .enums import WITHDRAWABLE_STATUSES


@rules.predicate
def is_programme_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_programme_staff)


@rules.predicate
def is_student(user) -> bool:
    return bool(user and user.is_authenticated and user.is_student)


@rules.predicate
def is_own_application(user, application) -> bool:
    if application is None or not user.is_authenticated:
        return False
    profile = getattr(user, "student_profile", None)
    return profile is not None and application.student_id == profile.pk


@rules.predicate
def is_unit_coordinator_of_application(user, application) -> bool:
    if application is None or not user.is_authenticated:
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

rules.add_perm("applicants.view_application", can_view_application)
rules.add_perm("applicants.download_resume", can_download_resume)
rules.add_perm("applicants.withdraw_application", can_withdraw_application)
rules.add_perm("applicants.change_rank", can_change_rank)
rules.add_perm("applicants.apply", is_student)
