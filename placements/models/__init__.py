"""The models of both halves of the programme after a student applies.

``selection``: reviews, interview slots and interviews, offers, mentors and the ``Placement``
an accepted offer creates. ``cultivation``: what hangs off a placement, from onboarding to
the certificate. One app (``placements``), so both halves share one set of migrations.
"""

from placements.models.allocation import AllocationRound
from placements.models.alumni import AlumniRecord, CycleStatistics
from placements.models.cultivation import (
    Activity,
    ActivitySignup,
    Assessment,
    Certificate,
    CommitteeRole,
    CycleCultivationSettings,
    Feedback,
    FinalGrade,
    Group,
    GroupMembership,
    Onboarding,
    OnboardingItem,
    OnboardingTick,
    PlacementEvent,
    TermSwitchRequest,
)
from placements.models.exports import Export, ExportFormat
from placements.models.privacy import DeletionRequest, DeletionStatus
from placements.models.selection import (
    Interview,
    InterviewSlot,
    Mentor,
    Offer,
    Placement,
    Review,
    ReviewCriterion,
    ReviewScore,
)

__all__ = [
    "Activity",
    "ActivitySignup",
    "AllocationRound",
    "AlumniRecord",
    "Assessment",
    "Certificate",
    "CommitteeRole",
    "CycleCultivationSettings",
    "CycleStatistics",
    "DeletionRequest",
    "DeletionStatus",
    "Export",
    "ExportFormat",
    "Feedback",
    "FinalGrade",
    "Group",
    "GroupMembership",
    "Interview",
    "InterviewSlot",
    "Mentor",
    "Offer",
    "Onboarding",
    "OnboardingItem",
    "OnboardingTick",
    "Placement",
    "PlacementEvent",
    "Review",
    "ReviewCriterion",
    "ReviewScore",
    "TermSwitchRequest",
]
