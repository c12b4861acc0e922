"""Alumni tracking (跟踪培养) and the statistics kept of a cycle.

``AlumniRecord``: what became of a student after a cycle of the programme — graduation, what
they do now, where, and whether they came back to Jinshan. One record per student and cycle;
the student writes it in answer to the alumni survey (and may update it later), or staff write
it from what they learnt by other means (a phone call, a class reunion), and the record says
which.

``CycleStatistics``: the dashboard's figures of one cycle, taken before the retention run
anonymises the cycle's applications, so that the figures reported to district leadership do
not change afterwards. The dashboard reads the snapshot of a cycle that has one.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from applicants.models import StudentProfile
from placements.cultivation.enums import AlumniActivity, AlumniSource
from positions.models import Cycle


class AlumniRecord(models.Model):
    student = models.ForeignKey(
        StudentProfile,
        on_delete=models.CASCADE,
        related_name="alumni_records",
        verbose_name=_("student"),
        db_index=False,
    )
    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="alumni_records", verbose_name=_("cycle"), db_index=False
    )
    graduation_year = models.PositiveSmallIntegerField(
        _("graduated (year)"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    graduation_month = models.PositiveSmallIntegerField(
        _("graduated (month)"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    activity = models.CharField(pgettext_lazy("alumni activity", "now"), max_length=12, choices=AlumniActivity.choices)
    sector = models.CharField(_("sector"), max_length=80, blank=True)
    employer = models.CharField(_("employer or school"), max_length=120, blank=True)
    back_in_jinshan = models.BooleanField(_("back in Jinshan"))
    contact_consent = models.BooleanField(_("may be contacted by the programme"), default=False)
    source = models.CharField(_("source"), max_length=8, choices=AlumniSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("alumni record")
        verbose_name_plural = _("alumni records")
        ordering = ["cycle", "student"]
        constraints = [
            models.UniqueConstraint(fields=["student", "cycle"], name="alumni_one_per_student_cycle"),
            models.CheckConstraint(condition=Q(graduation_month__gte=1, graduation_month__lte=12), name="alumni_month"),
            models.CheckConstraint(condition=Q(source__in=AlumniSource.values), name="alumni_source_valid"),
        ]
        indexes = [models.Index(fields=["cycle", "back_in_jinshan"], name="alumni_cycle_back_idx")]

    def __str__(self) -> str:
        return f"{self.student.legal_name} · {self.cycle.year}"

    @property
    def is_staff_recorded(self) -> bool:
        return self.source == AlumniSource.STAFF


class CycleStatistics(models.Model):
    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="statistics", verbose_name=_("cycle"))
    figures = models.JSONField(_("figures"))
    taken_at = models.DateTimeField(_("taken"))

    class Meta:
        verbose_name = _("cycle statistics snapshot")
        verbose_name_plural = _("cycle statistics snapshots")

    def __str__(self) -> str:
        return f"{self.cycle} @ {self.taken_at:%Y-%m-%d}"
