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
from positions.enums import TermType
from positions.models import Cycle, HostUnit, Post

from .enums import (
    HOLDING_OFFER_STATUSES,
    InterviewMode,
    InterviewOutcome,
    InterviewStatus,
    OfferStatus,
    PlacementStatus,
)


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

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="review_criteria", verbose_name=_("cycle"))
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
        Application, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("application")
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
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores", verbose_name=_("review"))
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

    unit = models.ForeignKey(HostUnit, on_delete=models.CASCADE, related_name="interview_slots", verbose_name=_("unit"))
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
    meeting_link = models.URLField(_("meeting link"), blank=True)
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


class Interview(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="interviews", verbose_name=_("application")
    )
    starts_at = models.DateTimeField(_("starts"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=20)
    mode = models.CharField(_("mode"), max_length=8, choices=InterviewMode.choices, default=InterviewMode.VIDEO)
    meeting_link = models.URLField(_("meeting link"), blank=True)
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


class Offer(models.Model):
    """A place on a post offered to one applicant, with a deadline to accept.

    ``expires_at`` stays empty while the cycle's results are held: the deadline starts at the
    announcement time (``services.offer_start_held`` sets it), and the offer cannot be accepted
    before then.
    """

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="offers", verbose_name=_("application")
    )
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="offers", verbose_name=_("post"))
    student = models.ForeignKey(
        StudentProfile, on_delete=models.PROTECT, related_name="offers", verbose_name=_("student")
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
    def is_open(self) -> bool:
        return self.status == OfferStatus.OPEN


class Placement(models.Model):
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="placement", verbose_name=_("application")
    )
    student = models.ForeignKey(
        StudentProfile, on_delete=models.PROTECT, related_name="placements", verbose_name=_("student")
    )
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="placements", verbose_name=_("post"))
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


# --- Cultivation: onboarding, groups, committee, activities, term switch, assessment, ------------
# --- certificate, forum feedback. Writes go through ``cultivation.py``. --------------------------

from .cultivation_enums import (  # noqa: E402 - the cultivation block keeps its imports with it
    ActivityKind,
    ActivityMode,
    ActivityStatus,
    AssessorRole,
    ChecklistParty,
    CommitteeRoleKind,
    FeedbackTopic,
    Grade,
    PlacementEventKind,
    TermSwitchStatus,
)


class CycleCultivationSettings(models.Model):
    """Per-cycle settings of cultivation that staff change in the admin."""

    cycle = models.OneToOneField(
        Cycle, on_delete=models.CASCADE, related_name="cultivation_settings", verbose_name=_("cycle")
    )
    excellent_cap_percent = models.PositiveSmallIntegerField(
        _("cap on excellent grades (%)"),
        null=True,
        blank=True,
        default=30,
        help_text=_("Staff are warned when more of the cycle's confirmed grades than this share are excellent."),
    )

    class Meta:
        verbose_name = _("cultivation settings")
        verbose_name_plural = _("cultivation settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(excellent_cap_percent__isnull=True) | Q(excellent_cap_percent__lte=100),
                name="cultivation_cap_percent_range",
            )
        ]

    def __str__(self) -> str:
        return str(self.cycle)


class OnboardingItem(models.Model):
    """One item of a cycle's onboarding checklist, confirmed by the student or the coordinator."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="onboarding_items", verbose_name=_("cycle"))
    title = models.CharField(_("item"), max_length=120)
    party = models.CharField(_("confirmed by"), max_length=12, choices=ChecklistParty.choices)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("onboarding item")
        verbose_name_plural = _("onboarding items")
        ordering = ["cycle", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["cycle", "title"], name="onboarding_item_unique_title")]

    def __str__(self) -> str:
        return self.title


class Onboarding(models.Model):
    """Where and when a placed student reports on their first day."""

    placement = models.OneToOneField(
        Placement, on_delete=models.CASCADE, related_name="onboarding", verbose_name=_("placement")
    )
    report_place = models.CharField(_("reporting place"), max_length=200)
    report_at = models.DateTimeField(_("reporting time"))
    notes = models.TextField(_("notes for the student"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("updated by")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("onboarding")
        verbose_name_plural = _("onboardings")

    def __str__(self) -> str:
        return f"{self.placement_id} @ {self.report_place}"


class OnboardingTick(models.Model):
    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="onboarding_ticks", verbose_name=_("placement")
    )
    item = models.ForeignKey(OnboardingItem, on_delete=models.CASCADE, related_name="ticks", verbose_name=_("item"))
    ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("ticked by")
    )
    ticked_at = models.DateTimeField(_("ticked"), default=timezone.now)

    class Meta:
        verbose_name = _("onboarding tick")
        verbose_name_plural = _("onboarding ticks")
        constraints = [models.UniqueConstraint(fields=["placement", "item"], name="onboarding_tick_once")]

    def __str__(self) -> str:
        return f"{self.placement_id}: {self.item_id}"


class PlacementEvent(models.Model):
    """Audit trail of a placement: status, term and dates, mentor, final grade, certificate."""

    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="events", verbose_name=_("placement")
    )
    kind = models.CharField(_("what"), max_length=12, choices=PlacementEventKind.choices)
    from_value = models.CharField(_("from"), max_length=120, blank=True)
    to_value = models.CharField(_("to"), max_length=120, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("placement change")
        verbose_name_plural = _("placement changes")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["placement", "kind"], name="placement_event_kind_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.from_value or '∅'} → {self.to_value}"


class Group(models.Model):
    """A group (小组) of 10–15 placed students of one cycle, with a leader among them."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="groups", verbose_name=_("cycle"))
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=40)
    leader = models.ForeignKey(
        Placement, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("leader")
    )

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["cycle", "number"]
        constraints = [models.UniqueConstraint(fields=["cycle", "number"], name="group_unique_number")]

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("group"))
    placement = models.OneToOneField(
        Placement, on_delete=models.CASCADE, related_name="group_membership", verbose_name=_("placement")
    )

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        ordering = ["group", "placement__student__legal_name"]

    def __str__(self) -> str:
        return f"{self.group} · {self.placement_id}"


class CommitteeRole(models.Model):
    """A seat on the cycle's class committee (班委), held by one placed student."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="committee_roles", verbose_name=_("cycle"))
    role = models.CharField(_("role"), max_length=20, choices=CommitteeRoleKind.choices)
    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="committee_roles", verbose_name=_("student")
    )

    class Meta:
        verbose_name = _("class committee role")
        verbose_name_plural = _("class committee")
        ordering = ["cycle", "role"]
        constraints = [models.UniqueConstraint(fields=["cycle", "role"], name="committee_one_per_role")]

    def __str__(self) -> str:
        return self.get_role_display()


class Activity(models.Model):
    """A cycle activity: published by staff, or proposed by the class committee ("4+x") and
    published once staff approve it. Placed students sign up within ``capacity``."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="activities", verbose_name=_("cycle"))
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    mode = models.CharField(_("mode"), max_length=12, choices=ActivityMode.choices, default=ActivityMode.ON_SITE)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    stream_url = models.URLField(_("livestream link"), blank=True)
    capacity = models.PositiveSmallIntegerField(_("places"), default=50)
    status = models.CharField(_("status"), max_length=12, choices=ActivityStatus.choices)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("proposed by")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="activity_time_order"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="activity_capacity_positive"),
            models.CheckConstraint(
                condition=Q(mode=ActivityMode.LIVESTREAM) | ~Q(place=""), name="activity_on_site_has_place"
            ),
            models.CheckConstraint(
                condition=Q(mode=ActivityMode.ON_SITE) | ~Q(stream_url=""), name="activity_livestream_has_link"
            ),
        ]
        indexes = [models.Index(fields=["cycle", "status", "starts_at"], name="activity_cycle_status_idx")]

    def __str__(self) -> str:
        return self.title


class ActivitySignup(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups", verbose_name=_("activity"))
    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="activity_signups", verbose_name=_("student")
    )
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    created_at = models.DateTimeField(_("signed up"), auto_now_add=True)

    class Meta:
        verbose_name = _("activity sign-up")
        verbose_name_plural = _("activity sign-ups")
        ordering = ["activity", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["activity", "placement"], name="activity_signup_once")]

    def __str__(self) -> str:
        return f"{self.activity_id} · {self.placement_id}"


class TermSwitchRequest(models.Model):
    """A student's request to switch a placement between short and long term.

    The unit's coordinator decides first, then programme staff. The request keeps both the
    term and dates before and after, so the history shows both whatever happens later.
    """

    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="term_switches", verbose_name=_("placement")
    )
    from_term = models.CharField(_("from term"), max_length=8, choices=TermType.choices)
    to_term = models.CharField(_("to term"), max_length=8, choices=TermType.choices)
    from_starts_on = models.DateField(_("starts (before)"))
    from_ends_on = models.DateField(_("ends (before)"))
    to_starts_on = models.DateField(_("starts (after)"))
    to_ends_on = models.DateField(_("ends (after)"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=12, choices=TermSwitchStatus.choices, default=TermSwitchStatus.UNIT_REVIEW
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("requested by")
    )
    unit_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit decided by"),
    )
    unit_decided_at = models.DateTimeField(_("unit decided"), null=True, blank=True)
    staff_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff decided by"),
    )
    staff_decided_at = models.DateTimeField(_("staff decided"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)

    class Meta:
        verbose_name = _("term switch request")
        verbose_name_plural = _("term switch requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_term=F("to_term")), name="term_switch_changes_term"),
            models.CheckConstraint(condition=Q(to_ends_on__gte=F("to_starts_on")), name="term_switch_dates_order"),
            models.UniqueConstraint(
                fields=["placement"],
                condition=Q(status__in=[TermSwitchStatus.UNIT_REVIEW, TermSwitchStatus.STAFF_REVIEW]),
                name="term_switch_one_open_per_placement",
            ),
        ]

    def __str__(self) -> str:
        terms = f"{self.get_from_term_display()} → {self.get_to_term_display()}"
        return f"{self.placement_id}: {terms} ({self.get_status_display()})"


class Assessment(models.Model):
    """One assessor's assessment of a placed student: the mentor's and the coordinator's."""

    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("placement")
    )
    assessor_role = models.CharField(_("assessed as"), max_length=12, choices=AssessorRole.choices)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("assessor")
    )
    attendance = models.PositiveSmallIntegerField(_("attendance"))
    work_quality = models.PositiveSmallIntegerField(_("work quality"))
    initiative = models.PositiveSmallIntegerField(_("initiative"))
    teamwork = models.PositiveSmallIntegerField(_("teamwork"))
    comments = models.TextField(_("comments"), blank=True)
    proposed_grade = models.CharField(_("proposed grade"), max_length=10, choices=Grade.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["placement", "assessor_role"]
        constraints = [
            models.UniqueConstraint(fields=["placement", "assessor_role"], name="assessment_one_per_role"),
            models.CheckConstraint(
                condition=Q(attendance__gte=1, attendance__lte=5)
                & Q(work_quality__gte=1, work_quality__lte=5)
                & Q(initiative__gte=1, initiative__lte=5)
                & Q(teamwork__gte=1, teamwork__lte=5),
                name="assessment_scores_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.placement_id} · {self.get_assessor_role_display()}: {self.get_proposed_grade_display()}"


class FinalGrade(models.Model):
    """The grade staff confirmed. Locked once it exists: a change needs a staff reason and
    leaves a ``PlacementEvent`` (kind GRADE)."""

    placement = models.OneToOneField(
        Placement, on_delete=models.PROTECT, related_name="final_grade", verbose_name=_("placement")
    )
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("confirmed by")
    )
    confirmed_at = models.DateTimeField(_("confirmed"), default=timezone.now)

    class Meta:
        verbose_name = _("final grade")
        verbose_name_plural = _("final grades")
        indexes = [models.Index(fields=["grade"], name="final_grade_grade_idx")]

    def __str__(self) -> str:
        return f"{self.placement_id}: {self.get_grade_display()}"


class Certificate(models.Model):
    """A completion certificate; the public verify page confirms it while it is not revoked."""

    placement = models.ForeignKey(
        Placement, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("placement")
    )
    code = models.CharField(_("verification code"), max_length=24, unique=True)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_reason = models.CharField(_("reason for revoking"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["placement"], condition=Q(revoked_at__isnull=True), name="certificate_one_live_per_placement"
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class Feedback(models.Model):
    """An opinion or suggestion for the cycle's forum (座谈会). When ``anonymous_to_unit`` is
    set, the unit never sees who wrote it; programme staff always do."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("cycle"))
    student = models.ForeignKey(
        StudentProfile, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("student")
    )
    unit = models.ForeignKey(
        HostUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="feedback", verbose_name=_("unit")
    )
    topic = models.CharField(_("topic"), max_length=16, choices=FeedbackTopic.choices)
    body = models.TextField(_("opinion or suggestion"))
    anonymous_to_unit = models.BooleanField(_("anonymous to the unit"), default=False)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    adopted = models.BooleanField(_("adopted"), default=False)
    action_taken = models.TextField(_("what was done"), blank=True)
    created_at = models.DateTimeField(_("submitted"), default=timezone.now)

    class Meta:
        verbose_name = _("forum feedback")
        verbose_name_plural = _("forum feedback")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["cycle", "adopted"], name="feedback_cycle_adopted_idx")]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} · {self.created_at:%Y-%m-%d}"
