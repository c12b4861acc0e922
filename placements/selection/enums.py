from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from applicants.enums import ApplicationStatus


class InterviewMode(models.TextChoices):
    VIDEO = "video", _("Video")
    ON_SITE = "on_site", _("On site")


class InterviewStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("Did not attend")
    CANCELLED = "cancelled", _("Cancelled")


INTERVIEW_TRANSITIONS: dict[str, frozenset[str]] = {
    InterviewStatus.SCHEDULED: frozenset(
        {InterviewStatus.COMPLETED, InterviewStatus.NO_SHOW, InterviewStatus.CANCELLED}
    ),
    InterviewStatus.COMPLETED: frozenset(),
    InterviewStatus.NO_SHOW: frozenset(),
    InterviewStatus.CANCELLED: frozenset(),
}


class InterviewOutcome(models.TextChoices):
    PASSED = "passed", _("Recommended for selection")
    NOT_PASSED = "not_passed", _("Not recommended")


class RejectionReason(models.TextChoices):
    """Why a unit does not shortlist an applicant; the student sees the label."""

    REQUIREMENTS = "requirements", _("Does not meet the post's requirements")
    YEAR_OF_STUDY = "year_of_study", _("Year of study does not fit the post")
    MAJOR = "major", _("Major does not fit the post")
    STATEMENT = "statement", _("The statement did not convince the unit")
    AVAILABILITY = "availability", _("Not available for the post's period")
    STRONGER_FIELD = "stronger_field", _("Other applicants fit the post better")
    OTHER = "other", _("Other reason")


class OfferStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("offer status", "Open")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    RELEASED = "released", _("Released (accepted elsewhere)")
    WITHDRAWN = "withdrawn", _("Withdrawn by the unit")


#: Offers that take a place on the post: OPEN + ACCEPTED never exceed its headcount.
HOLDING_OFFER_STATUSES = frozenset({OfferStatus.OPEN, OfferStatus.ACCEPTED})

OFFER_TRANSITIONS: dict[str, frozenset[str]] = {
    OfferStatus.OPEN: frozenset(
        {OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.EXPIRED, OfferStatus.RELEASED, OfferStatus.WITHDRAWN}
    ),
    OfferStatus.ACCEPTED: frozenset(),
    OfferStatus.DECLINED: frozenset(),
    OfferStatus.EXPIRED: frozenset(),
    OfferStatus.RELEASED: frozenset(),
    OfferStatus.WITHDRAWN: frozenset(),
}


class PlacementStatus(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    ACTIVE = "active", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


PLACEMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    PlacementStatus.UPCOMING: frozenset({PlacementStatus.ACTIVE, PlacementStatus.CANCELLED}),
    PlacementStatus.ACTIVE: frozenset({PlacementStatus.COMPLETED, PlacementStatus.CANCELLED}),
    PlacementStatus.COMPLETED: frozenset(),
    PlacementStatus.CANCELLED: frozenset(),
}


#: Applications a unit ranks (the ranking page lists them, the ranking service accepts them):
#: interviewed, and those whose offer came and went, so a saved ranking can be saved again.
RANKABLE_APPLICATION_STATUSES = frozenset(
    {
        ApplicationStatus.INTERVIEWED,
        ApplicationStatus.NOT_SELECTED,
        ApplicationStatus.OFFERED,
        ApplicationStatus.ACCEPTED,
        ApplicationStatus.DECLINED,
    }
)


class AllocationStatus(models.TextChoices):
    """A district-wide allocation round: previewed, then confirmed (offers made) or replaced."""

    PREVIEWED = "previewed", _("Previewed")
    CONFIRMED = "confirmed", _("Confirmed: offers made")
    SUPERSEDED = "superseded", _("Superseded by a newer preview")


ALLOCATION_TRANSITIONS: dict[str, frozenset[str]] = {
    AllocationStatus.PREVIEWED: frozenset({AllocationStatus.CONFIRMED, AllocationStatus.SUPERSEDED}),
    AllocationStatus.CONFIRMED: frozenset(),
    AllocationStatus.SUPERSEDED: frozenset(),
}
