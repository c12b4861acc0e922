"""Choices and transition tables of cultivation: what follows a student's placement."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChecklistParty(models.TextChoices):
    """Who confirms an onboarding item: the student themselves, or the unit's coordinator."""

    STUDENT = "student", _("Student")
    COORDINATOR = "coordinator", _("Unit coordinator")


class CommitteeRoleKind(models.TextChoices):
    MONITOR = "monitor", _("Class monitor")
    LEAGUE_SECRETARY = "league_secretary", _("Youth League branch secretary")
    STUDY = "study", _("Study officer")
    ACTIVITIES = "activities", _("Activities officer")
    PUBLICITY = "publicity", _("Publicity officer")
    LIFE = "life", _("Welfare officer")


class ActivityKind(models.TextChoices):
    ORIENTATION = "orientation", _("Orientation: introduction to Jinshan")
    JINSHAN_VISIT = "jinshan_visit", _("Students look at Jinshan (visit)")
    ETIQUETTE = "etiquette", _("Workplace etiquette training")
    CAREER = "career", _("Career and entrepreneurship guidance")
    KICKOFF = "kickoff", _("Kickoff ceremony")
    SELF_DESIGNED = "self_designed", _("Self-designed activity (“4+x”)")


class ActivityMode(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    LIVESTREAM = "livestream", _("Livestream")


class ActivityStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed by the class committee")
    PUBLISHED = "published", _("Published")
    REFUSED = "refused", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVITY_TRANSITIONS: dict[str, frozenset[str]] = {
    ActivityStatus.PROPOSED: frozenset({ActivityStatus.PUBLISHED, ActivityStatus.REFUSED}),
    ActivityStatus.PUBLISHED: frozenset({ActivityStatus.CANCELLED}),
    ActivityStatus.REFUSED: frozenset(),
    ActivityStatus.CANCELLED: frozenset(),
}


class TermSwitchStatus(models.TextChoices):
    UNIT_REVIEW = "unit_review", _("Waiting for the unit")
    STAFF_REVIEW = "staff_review", _("Waiting for programme staff")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


TERM_SWITCH_TRANSITIONS: dict[str, frozenset[str]] = {
    TermSwitchStatus.UNIT_REVIEW: frozenset(
        {TermSwitchStatus.STAFF_REVIEW, TermSwitchStatus.REFUSED, TermSwitchStatus.WITHDRAWN}
    ),
    TermSwitchStatus.STAFF_REVIEW: frozenset(
        {TermSwitchStatus.APPROVED, TermSwitchStatus.REFUSED, TermSwitchStatus.WITHDRAWN}
    ),
    TermSwitchStatus.APPROVED: frozenset(),
    TermSwitchStatus.REFUSED: frozenset(),
    TermSwitchStatus.WITHDRAWN: frozenset(),
}
OPEN_TERM_SWITCH_STATUSES = frozenset({TermSwitchStatus.UNIT_REVIEW, TermSwitchStatus.STAFF_REVIEW})


class AssessorRole(models.TextChoices):
    MENTOR = "mentor", _("Mentor")
    COORDINATOR = "coordinator", _("Unit coordinator")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


#: The grade as printed on the (Chinese) certificate.
GRADE_LABEL_ZH = {Grade.EXCELLENT: "优秀", Grade.GOOD: "良好", Grade.PASS: "合格", Grade.FAIL: "不合格"}


class PlacementEventKind(models.TextChoices):
    STATUS = "status", _("Status")
    TERM = "term", _("Term and dates")
    GRADE = "grade", _("Final grade")
    MENTOR = "mentor", _("Mentor")
    CERTIFICATE = "certificate", _("Certificate")


class FeedbackTopic(models.TextChoices):
    POST = "post", _("The post and its duties")
    MENTORING = "mentoring", _("Mentoring")
    ACTIVITIES = "activities", _("Activities and training")
    ORGANISATION = "organisation", _("Organisation and groups")
    LIVING = "living", _("Transport, meals and daily life")
    OTHER = "other", _("Other")


class AlumniActivity(models.TextChoices):
    WORKING = "working", _("Working")
    STUDYING = "studying", _("Studying further")
    BUSINESS = "business", _("Running a business")
    OTHER = "other", _("Other")


class AlumniSource(models.TextChoices):
    STUDENT = "student", _("The student's own answer")
    STAFF = "staff", _("Recorded by staff from other sources")
