"""Every write of the selection: review, shortlist, interviews, offers and placements.

Locks are always taken in the same order — post, then interview slot, then student profile,
then offer or application — so that concurrent requests queue instead of deadlocking. The
capacity rule (OPEN + ACCEPTED offers ≤ the post's headcount) is checked under the post row's
lock (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises writers by itself).

Accepting, declining or expiring an offer frees places on other posts; those are passed on to
their backup lists in a second transaction (``offer_pass_to_backup``) so that accepting never
takes a post lock after a student lock.

One module per topic (``core``, ``notify``, ``allocation``, ``posts``, ``reviews``, ``interviews``, ``offers``,
``ranking``, ``closing``); this package re-exports their public functions, so callers write
``from placements.selection import services`` and ``services.offer_make(...)``.
"""

from .allocation import (
    ALLOCATION_MACHINE,
    AllocationError,
    allocation_confirm,
    allocation_confirm_start,
    allocation_inputs_read,
    allocation_offer_messages_pending,
    allocation_offer_messages_queue,
    allocation_preview,
    allocation_preview_start,
    allocation_run,
)
from .closing import (
    CLOSE_JOB,
    HELD_KINDS,
    cycle_announcement_follow,
    cycle_selection_close,
    cycle_selection_close_start,
    held_notifications_sync,
)
from .core import (
    EDITABLE_POST_STATUSES,
    INTERVIEW_MACHINE,
    LIVE_INTERVIEW,
    OFFER_MACHINE,
    SELECTION_OVER,
    CapacityError,
    SelectionError,
)
from .interviews import (
    REMINDERS,
    application_withdrawal_settle,
    interview_book,
    interview_cancel,
    interview_record,
    interview_reschedule,
    interview_slot_cancel,
    interview_slot_create,
    interview_student_cancel,
    interview_student_move,
    interviewer_conflicts,
)
from .notify import (
    decision_key_prefix,
    interview_notice_prefix,
    interview_reminder_prefix,
    not_selected_key,
)
from .offers import (
    BACKUP_STATUSES,
    offer_accept,
    offer_decline,
    offer_expire_due,
    offer_make,
    offer_pass_to_backup,
    offer_start_held,
    post_free_places,
)
from .posts import (
    post_propose,
    post_submit_for_approval,
    post_update_draft,
)
from .ranking import RANKABLE_STATUSES, application_not_select, post_ranking_set
from .reviews import (
    application_reject,
    application_shortlist,
    applications_bulk_decide,
    rejection_reason_text,
    review_save,
)

__all__ = [
    "ALLOCATION_MACHINE",
    "BACKUP_STATUSES",
    "CLOSE_JOB",
    "EDITABLE_POST_STATUSES",
    "HELD_KINDS",
    "INTERVIEW_MACHINE",
    "LIVE_INTERVIEW",
    "OFFER_MACHINE",
    "RANKABLE_STATUSES",
    "REMINDERS",
    "SELECTION_OVER",
    "AllocationError",
    "CapacityError",
    "SelectionError",
    "allocation_confirm",
    "allocation_confirm_start",
    "allocation_inputs_read",
    "allocation_offer_messages_pending",
    "allocation_offer_messages_queue",
    "allocation_preview",
    "allocation_preview_start",
    "allocation_run",
    "application_not_select",
    "application_reject",
    "application_shortlist",
    "application_withdrawal_settle",
    "applications_bulk_decide",
    "cycle_announcement_follow",
    "cycle_selection_close",
    "cycle_selection_close_start",
    "decision_key_prefix",
    "held_notifications_sync",
    "interview_book",
    "interview_cancel",
    "interview_notice_prefix",
    "interview_record",
    "interview_reminder_prefix",
    "interview_reschedule",
    "interview_slot_cancel",
    "interview_slot_create",
    "interview_student_cancel",
    "interview_student_move",
    "interviewer_conflicts",
    "not_selected_key",
    "offer_accept",
    "offer_decline",
    "offer_expire_due",
    "offer_make",
    "offer_pass_to_backup",
    "offer_start_held",
    "post_free_places",
    "post_propose",
    "post_ranking_set",
    "post_submit_for_approval",
    "post_update_draft",
    "rejection_reason_text",
    "review_save",
]
