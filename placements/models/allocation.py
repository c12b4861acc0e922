"""The record of a district-wide allocation round (``placements.selection.services.allocation``).

A round is created when staff preview the stable allocation of a cycle: it keeps who ran it
and when, a fingerprint of the inputs (the students' preferences, the units' rankings and the
places left), the counts and the matched pairs. Confirming it makes the offers, once; a new
preview of the same cycle supersedes the rounds still waiting. A confirmed round whose
``messages_queued_at`` is still empty owes its students their offer messages: a worker queues
them just after the confirmation commits.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jinseed.statemachine import StatusGuarded
from placements.selection.enums import AllocationStatus
from positions.models import Cycle


class AllocationRound(StatusGuarded):
    cycle = models.ForeignKey(
        Cycle,
        on_delete=models.PROTECT,
        related_name="allocation_rounds",
        verbose_name=_("cycle"),
        db_index=False,
    )
    status = models.CharField(
        _("status"), max_length=12, choices=AllocationStatus.choices, default=AllocationStatus.PREVIEWED
    )
    fingerprint = models.CharField(
        _("fingerprint of the inputs"),
        max_length=64,
        help_text=_("SHA-256 of the preferences, rankings and places the preview was computed from."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("previewed by")
    )
    created_at = models.DateTimeField(_("previewed"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    messages_queued_at = models.DateTimeField(
        _("offer messages queued"),
        null=True,
        blank=True,
        help_text=_("When the students' offer messages were queued, shortly after the confirmation."),
    )
    students = models.PositiveIntegerField(_("students"), default=0)
    posts = models.PositiveIntegerField(_("posts"), default=0)
    places = models.PositiveIntegerField(_("places"), default=0)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    offers_made = models.PositiveIntegerField(_("offers made"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)
    units = models.JSONField(
        _("per unit"), default=list, blank=True, help_text=_("Per unit: places, matched, empty places.")
    )
    pairs = models.JSONField(
        _("matched pairs"), default=list, blank=True, help_text=_("[application, student, post] of every match.")
    )
    unplaced = models.JSONField(_("unplaced students"), default=list, blank=True)
    empty_places = models.JSONField(_("empty places"), default=dict, blank=True)

    class Meta:
        verbose_name = _("allocation round")
        verbose_name_plural = _("allocation rounds")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=AllocationStatus.values), name="allocation_status_valid"),
        ]
        indexes = [models.Index(fields=["cycle", "status"], name="allocation_cycle_status_idx")]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.created_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def unplaced_count(self) -> int:
        return self.students - self.matched

    @property
    def empty_count(self) -> int:
        return self.places - self.matched
