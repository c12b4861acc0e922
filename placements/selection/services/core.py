"""Errors, state machines and constants shared by the selection services."""

from applicants.enums import ApplicationStatus
from jinseed.errors import DomainError
from jinseed.statemachine import StatusMachine, status_change_audit
from placements.models import Interview, Offer
from placements.selection.enums import (
    INTERVIEW_TRANSITIONS,
    OFFER_TRANSITIONS,
    InterviewStatus,
    OfferStatus,
)
from positions.enums import CycleStatus, PostStatus

S = ApplicationStatus


EDITABLE_POST_STATUSES = frozenset({PostStatus.DRAFT, PostStatus.RETURNED})


#: Interviews that still take a place in a slot and in the student's diary.
LIVE_INTERVIEW = InterviewStatus.SCHEDULED


#: Cycle statuses in which no offer is made any more, from the backup list or otherwise.
SELECTION_OVER = frozenset({CycleStatus.SELECTION_CLOSED, CycleStatus.ARCHIVED})


class SelectionError(DomainError):
    pass


class CapacityError(SelectionError):
    """The post has no free place: its open and accepted offers already reach the headcount."""


INTERVIEW_MACHINE = StatusMachine(
    model=Interview,
    transitions=INTERVIEW_TRANSITIONS,
    labels=InterviewStatus,
    error=SelectionError,
    audit=status_change_audit(Interview),
)


OFFER_MACHINE = StatusMachine(
    model=Offer,
    transitions=OFFER_TRANSITIONS,
    labels=OfferStatus,
    error=SelectionError,
    audit=status_change_audit(Offer),
)
