"""Interviews, reviews, offers, mentors and placements: what happens after a student applies.

Selection runs: review (``Review`` with one ``ReviewScore`` per cycle criterion) → shortlist →
``InterviewSlot`` with ``Interview`` rows booked into it → ranking (``Application.selection_rank``)
→ ``Offer`` → ``Placement``. Every write goes through ``services.py``; a post's OPEN and
ACCEPTED offers never exceed its headcount (``services.offer_make`` counts them under a lock on
the post row).
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from applicants.models import Application, StudentProfile
from jinseed.fields import HttpsURLField
from jinseed.statemachine import StatusGuarded
from placements.selection.enums import (
    HOLDING_OFFER_STATUSES,
    InterviewMode,
    InterviewOutcome,
    InterviewStatus,
    OfferStatus,
    PlacementStatus,
)
from positions.enums import TermType
from positions.models import Cycle, HostUnit, Post


class Mentor(models.Model):
    """A mentor (带教老师): a staff member of a host unit who guides one or a few students."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor", verbose_name=_("account")
    )
    unit = models.ForeignKey(HostUnit, on_delete=models.CASCADE, related_name="mentors", verbose_name=_("unit"))
    job_title = models.CharField(_("job title"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("mentor")
        verbose_name_plural = _("mentors")

    def __str__(self) -> str:
        return f"{self.user} ({self.unit})"


class ReviewCriterion(models.Model):
    """One criterion reviewers score (1–5) in a cycle; staff set the list per cycle in the admin."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="review_criteria", verbose_name=_("cycle"), db_index=False
    )
    name = models.CharField(pgettext_lazy("review criterion", "name"), max_length=80)
    description = models.CharField(_("what to look for"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("review criterion")
        verbose_name_plural = _("review criteria")
        ordering = ["cycle", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["cycle", "name"], name="criterion_unique_name")]

    def __str__(self) -> str:
        return self.name


class Review(models.Model):
    """One reviewer's assessment of one application; the unit's other reviewers see it."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("application"),
        db_index=False,
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("reviewer")
    )
    notes = models.TextField(_("notes"), blank=True)
    average = models.DecimalField(_("average score"), max_digits=3, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="review_one_per_reviewer"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} · {self.application_id}"


class ReviewScore(models.Model):
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="scores", verbose_name=_("review"), db_index=False
    )
    criterion = models.ForeignKey(
        ReviewCriterion, on_delete=models.CASCADE, related_name="scores", verbose_name=_("criterion")
    )
    score = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        verbose_name = _("review score")
        verbose_name_plural = _("review scores")
        ordering = ["criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="review_score_one_per_criterion"),
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="review_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"


class InterviewSlot(models.Model):
    """A time a unit offers for interviews; ``capacity`` people may be booked into it.

    With ``self_booking`` on, the unit's shortlisted applicants (of ``post``, or of any of the
    unit's posts when it is empty) pick a slot themselves, first come first served.
    """

    unit = models.ForeignKey(
        HostUnit, on_delete=models.CASCADE, related_name="interview_slots", verbose_name=_("unit"), db_index=False
    )
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="interview_slots", verbose_name=_("cycle"))
    post = models.ForeignKey(
        Post,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="interview_slots",
        verbose_name=_("post"),
        help_text=_("Leave empty for a slot open to every post of the unit."),
    )
    starts_at = models.DateTimeField(_("starts"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=20)
    mode = models.CharField(_("mode"), max_length=8, choices=InterviewMode.choices, default=InterviewMode.VIDEO)
    meeting_link = HttpsURLField(_("meeting link"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    interviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="interview_slots", verbose_name=_("interviewers")
    )
    capacity = models.PositiveSmallIntegerField(_("places"), default=1)
    self_booking = models.BooleanField(_("applicants book themselves"), default=False)
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("interview slot")
        verbose_name_plural = _("interview slots")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="slot_capacity_positive"),
            models.CheckConstraint(condition=Q(duration_minutes__gte=5), name="slot_duration_min"),
            models.CheckConstraint(
                condition=Q(mode=InterviewMode.ON_SITE) | ~Q(meeting_link=""), name="slot_video_has_link"
            ),
            models.CheckConstraint(
                condition=Q(mode=InterviewMode.VIDEO) | ~Q(address=""), name="slot_on_site_has_address"
            ),
        ]
        indexes = [models.Index(fields=["unit", "starts_at"], name="slot_unit_starts_idx")]

    def __str__(self) -> str:
        return f"{self.unit} @ {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self):
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)


class Interview(StatusGuarded):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="interviews", verbose_name=_("application")
    )
    starts_at = models.DateTimeField(_("starts"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=20)
    mode = models.CharField(_("mode"), max_length=8, choices=InterviewMode.choices, default=InterviewMode.VIDEO)
    meeting_link = HttpsURLField(_("meeting link"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=InterviewStatus.choices, default=InterviewStatus.SCHEDULED
    )
    interviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="interviews_to_hold", verbose_name=_("interviewers")
    )
    slot = models.ForeignKey(
        InterviewSlot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interviews",
        verbose_name=_("slot"),
        db_index=False,
    )
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=InterviewOutcome.choices, blank=True)
    sequence = models.PositiveSmallIntegerField(
        _("revision"), default=0, help_text=_("Grows with every change, so calendar invitations update in place.")
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gte=5), name="interview_duration_min"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)), name="interview_score_range"
            ),
        ]
        indexes = [
            models.Index(fields=["starts_at"], name="interview_starts_idx"),
            models.Index(fields=["slot", "status"], name="interview_slot_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.application} @ {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self):
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)


class Offer(StatusGuarded):
    """A place on a post offered to one applicant, with a deadline to accept.

    ``expires_at`` stays empty while the cycle's results are held: the deadline starts at the
    announcement time (``services.offer_start_held`` sets it), and the offer cannot be accepted
    before then.
    """

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="offers", verbose_name=_("application")
    )
    # The application's post, student and cycle, copied for the indexes and the queries of
    # each (the services write the copies; tests check that they agree). No index of their own
    # for the first two: offer_post_status_idx and offer_student_status_idx start with them.
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="offers", verbose_name=_("post"), db_index=False
    )
    student = models.ForeignKey(
        StudentProfile, on_delete=models.PROTECT, related_name="offers", verbose_name=_("student"), db_index=False
    )
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="offers", verbose_name=_("cycle"))
    status = models.CharField(_("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.OPEN)
    from_backup = models.BooleanField(_("passed on from the backup list"), default=False)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("made by")
    )
    made_at = models.DateTimeField(_("made"), default=timezone.now)
    expires_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-made_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status__in=HOLDING_OFFER_STATUSES),
                name="offer_one_holding_per_application",
            ),
            models.UniqueConstraint(
                fields=["student", "cycle"],
                condition=Q(status=OfferStatus.ACCEPTED),
                name="offer_one_accepted_per_student_cycle",
            ),
            models.CheckConstraint(condition=Q(status__in=OfferStatus.values), name="offer_status_valid"),
        ]
        indexes = [
            models.Index(fields=["post", "status"], name="offer_post_status_idx"),
            models.Index(fields=["status", "expires_at"], name="offer_status_expires_idx"),
            models.Index(fields=["student", "status"], name="offer_student_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.post} → {self.student_id} ({self.get_status_display()})"

    @property
    def answer_by(self) -> dt.datetime | None:
        """When the student must answer. A held offer's deadline starts at the announcement;
        until the periodic task writes it into ``expires_at`` it is read from the cycle, so a
        student never sees a bare "N hours" once the results are out."""
        if self.expires_at is not None:
            return self.expires_at
        announcement = self.cycle.announcement_at
        if announcement is not None and announcement <= timezone.now():
            return announcement + dt.timedelta(hours=self.cycle.offer_valid_hours)
        return None

    @property
    def is_open(self) -> bool:
        return self.status == OfferStatus.OPEN


class Placement(StatusGuarded):
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="placement", verbose_name=_("application")
    )
    student = models.ForeignKey(
        StudentProfile, on_delete=models.PROTECT, related_name="placements", verbose_name=_("student")
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="placements", verbose_name=_("post"), db_index=False
    )
    mentor = models.ForeignKey(
        Mentor, on_delete=models.SET_NULL, null=True, blank=True, related_name="placements", verbose_name=_("mentor")
    )
    term = models.CharField(_("term"), max_length=8, choices=TermType.choices)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    status = models.CharField(
        _("status"), max_length=12, choices=PlacementStatus.choices, default=PlacementStatus.UPCOMING
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="placement_dates_order"),
        ]
        indexes = [models.Index(fields=["post", "status"], name="placement_post_status_idx")]

    def __str__(self) -> str:
        return f"{self.student.legal_name} @ {self.post}"
