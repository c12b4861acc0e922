"""Cultivation: onboarding, groups, class committee, activities, term switch, assessment,
certificates and forum feedback, all hanging off a ``Placement``.

Every write goes through ``placements.cultivation.services``.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from applicants.models import StudentProfile
from jinseed.fields import HttpsURLField
from jinseed.history import ConfigurationHistory
from jinseed.statemachine import StatusGuarded
from placements.cultivation.enums import (
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
from placements.models.selection import Placement
from placements.selection.enums import PlacementStatus
from positions.enums import TermType
from positions.models import Cycle, HostUnit


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

    history = ConfigurationHistory()

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

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="onboarding_items", verbose_name=_("cycle"), db_index=False
    )
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
        Placement,
        on_delete=models.CASCADE,
        related_name="onboarding_ticks",
        verbose_name=_("placement"),
        db_index=False,
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
        Placement,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("placement"),
        db_index=False,
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
        return f"{self.get_kind_display()}: {self.from_display or '∅'} → {self.to_display}"

    @staticmethod
    def _label(kind: str, value: str) -> str:
        """A stored value as people read it: a status or grade by its label, a term change
        ("long 2020-07-01–2021-06-30") with the term's label; names and codes as they are."""
        if not value:
            return ""
        if kind == PlacementEventKind.STATUS:
            return str(dict(PlacementStatus.choices).get(value, value))
        if kind == PlacementEventKind.GRADE:
            return str(dict(Grade.choices).get(value, value))
        if kind == PlacementEventKind.TERM:
            term, _space, dates = value.partition(" ")
            label = dict(TermType.choices).get(term)
            return f"{label} {dates}".strip() if label else value
        return value

    @property
    def from_display(self) -> str:
        return self._label(self.kind, self.from_value)

    @property
    def to_display(self) -> str:
        return self._label(self.kind, self.to_value)


class Group(models.Model):
    """A group (小组) of 10–15 placed students of one cycle, with a leader among them."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="groups", verbose_name=_("cycle"), db_index=False
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=40)
    leader = models.ForeignKey(
        Placement, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("leader")
    )

    history = ConfigurationHistory()

    class Meta:
        verbose_name = pgettext_lazy("student group", "group")
        verbose_name_plural = pgettext_lazy("student group", "groups")
        ordering = ["cycle", "number"]
        constraints = [models.UniqueConstraint(fields=["cycle", "number"], name="group_unique_number")]

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    group = models.ForeignKey(
        Group,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=pgettext_lazy("student group", "group"),
    )
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

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="committee_roles", verbose_name=_("cycle"), db_index=False
    )
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


class Activity(StatusGuarded):
    """A cycle activity: published by staff, or proposed by the class committee ("4+x") and
    published once staff approve it. Placed students sign up within ``capacity``."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="activities", verbose_name=_("cycle"), db_index=False
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    mode = models.CharField(_("mode"), max_length=12, choices=ActivityMode.choices, default=ActivityMode.ON_SITE)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    stream_url = HttpsURLField(_("livestream link"), blank=True)
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

    @property
    def has_started(self) -> bool:
        """Sign-ups open and close only before the start (the services refuse after it)."""
        return self.starts_at <= timezone.now()


class ActivitySignup(models.Model):
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="signups", verbose_name=_("activity"), db_index=False
    )
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


class TermSwitchRequest(StatusGuarded):
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
        Placement,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("placement"),
        db_index=False,
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

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("cycle"), db_index=False
    )
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
