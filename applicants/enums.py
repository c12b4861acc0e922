from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class DegreeLevel(models.TextChoices):
    ASSOCIATE = "associate", _("Associate (专科)")
    BACHELOR = "bachelor", _("Bachelor")
    MASTER = "master", _("Master")
    DOCTORATE = "doctorate", _("Doctorate")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    SHORTLISTED = "shortlisted", _("Shortlisted for interview")
    REJECTED = "rejected", _("Not shortlisted")
    INTERVIEWED = "interviewed", _("Interviewed")
    OFFERED = "offered", _("Offer made")
    ACCEPTED = "accepted", _("Offer accepted")
    DECLINED = "declined", _("Offer declined or lapsed")
    NOT_SELECTED = "not_selected", _("Not selected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = ApplicationStatus
APPLICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.SHORTLISTED, S.REJECTED, S.WITHDRAWN}),
    S.SHORTLISTED: frozenset({S.INTERVIEWED, S.REJECTED, S.WITHDRAWN}),
    S.INTERVIEWED: frozenset({S.OFFERED, S.NOT_SELECTED, S.WITHDRAWN}),
    # An offer from the backup list can still reach a student marked not selected.
    S.NOT_SELECTED: frozenset({S.OFFERED}),
    S.OFFERED: frozenset({S.ACCEPTED, S.DECLINED}),
    S.ACCEPTED: frozenset(),
    S.DECLINED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

#: Statuses in which an application holds the student's place on a post: at most one such
#: application per student and post, and they count against the cycle's limit.
ACTIVE_STATUSES = frozenset({S.SUBMITTED, S.SHORTLISTED, S.INTERVIEWED, S.OFFERED, S.ACCEPTED})

#: Statuses from which the student may withdraw by themselves.
WITHDRAWABLE_STATUSES = frozenset({S.SUBMITTED, S.SHORTLISTED, S.INTERVIEWED})

#: Decisions that are held until the cycle's announcement time when one is set.
HELD_DECISIONS = frozenset({S.OFFERED, S.NOT_SELECTED})


class EligibilityCode(models.TextChoices):
    """Reason codes stored with each application: which rule was checked, and its result."""

    OK = "ok", _("Eligible")
    GRADUATING = "graduating", _("Graduates in the cycle's year")
    SHORT_TERM_SENIOR = "short_term_senior", _("Short-term posts are meant for years 1–2")
    LONG_TERM_JUNIOR = "long_term_junior", _("Long-term posts are meant for year 3 and above")
    YEAR_OUT_OF_RANGE = "year_out_of_range", _("Year of study outside the post's range")
    NO_CONSENT = "no_consent", _("No consent to process the ID number")
    PROFILE_INCOMPLETE = "profile_incomplete", _("Profile incomplete")
    PLACEMENT_OVERLAP = "placement_overlap", _("Overlaps a placement of theirs that is still running")


class Severity(models.TextChoices):
    BLOCK = "block", _("Blocks")
    WARN = "warn", _("Warning")
