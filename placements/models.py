"""Interviews, mentors and placements: what happens after a student applies."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from applicants.models import Application, StudentProfile
from positions.enums import TermType
from positions.models import HostUnit, Post

from .enums import InterviewMode, InterviewStatus, PlacementStatus


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
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
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
        indexes = [models.Index(fields=["starts_at"], name="interview_starts_idx")]

    def __str__(self) -> str:
        return f"{self.application} @ {self.starts_at:%Y-%m-%d %H:%M}"


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
