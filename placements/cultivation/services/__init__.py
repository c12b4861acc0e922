"""Every write of cultivation: what happens once a student has accepted a place.

Lifecycle of a placement after selection: the unit names the mentor and the reporting
place and time (``onboarding_set``); student and coordinator tick the cycle's onboarding
items; staff form the cycle's groups (``groups_form``, from ``grouping.propose_groups``) and
its class committee; students sign up for activities; a term switch goes unit → staff;
at the end mentor and coordinator assess, staff confirm the final grade (locked from then
on: a change needs a reason and leaves an audit row), and a completed placement with a
passing grade yields a certificate that the public verify page confirms until revoked.

Locks: placement before certificate and final grade; an activity row before its sign-ups.

One module per topic (``core``, ``onboarding``, ``groups``, ``activities``, ``term_switch``,
``assessment``, ``certificates``, ``forum``); this package re-exports their public functions,
so callers write ``from placements.cultivation import services``.
"""

from .activities import (
    activity_attendance_record,
    activity_propose,
    activity_publish,
    activity_signup,
    activity_signup_cancel,
    activity_transition,
)
from .alumni import (
    ALUMNI_FIELDS,
    alumni_record_answer,
    alumni_record_by_staff,
    alumni_survey_recipients,
    alumni_survey_send,
)
from .assessment import (
    assessment_submit,
    cultivation_settings,
    excellent_cap_warning,
    excellent_share,
    grade_confirm,
)
from .certificates import (
    certificate_can_be_issued,
    certificate_issue,
    certificate_render,
    certificate_revoke,
    certificate_verify_url,
)
from .core import (
    ACTIVITY_MACHINE,
    ASSESSABLE_STATUSES,
    LIVE_PLACEMENT_STATUSES,
    PLACEMENT_MACHINE,
    SCORE_FIELDS,
    TERM_SWITCH_MACHINE,
    CultivationError,
)
from .forum import (
    feedback_answer,
    feedback_submit,
)
from .groups import (
    committee_role_assign,
    group_candidates,
    group_move,
    group_name,
    group_set_leader,
    groups_form,
    groups_place_unassigned,
    groups_propose,
    is_committee_member,
)
from .onboarding import (
    onboarding_item_tick,
    onboarding_set,
    placement_transition,
)
from .term_switch import (
    term_switch_decide,
    term_switch_request,
    term_switch_withdraw,
)

__all__ = [
    "ACTIVITY_MACHINE",
    "ALUMNI_FIELDS",
    "ASSESSABLE_STATUSES",
    "LIVE_PLACEMENT_STATUSES",
    "PLACEMENT_MACHINE",
    "SCORE_FIELDS",
    "TERM_SWITCH_MACHINE",
    "CultivationError",
    "activity_attendance_record",
    "activity_propose",
    "activity_publish",
    "activity_signup",
    "activity_signup_cancel",
    "activity_transition",
    "alumni_record_answer",
    "alumni_record_by_staff",
    "alumni_survey_recipients",
    "alumni_survey_send",
    "assessment_submit",
    "certificate_can_be_issued",
    "certificate_issue",
    "certificate_render",
    "certificate_revoke",
    "certificate_verify_url",
    "committee_role_assign",
    "cultivation_settings",
    "excellent_cap_warning",
    "excellent_share",
    "feedback_answer",
    "feedback_submit",
    "grade_confirm",
    "group_candidates",
    "group_move",
    "group_name",
    "group_set_leader",
    "groups_form",
    "groups_place_unassigned",
    "groups_propose",
    "is_committee_member",
    "onboarding_item_tick",
    "onboarding_set",
    "placement_transition",
    "term_switch_decide",
    "term_switch_request",
    "term_switch_withdraw",
]
