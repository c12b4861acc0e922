"""A student's request to delete their account (PIPL art. 47).

``requested`` → ``cancelled`` (the student changed their mind within the grace period) or
``completed`` (the beat task erased the account's personal data once ``due_at`` passed).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jinseed.statemachine import StatusGuarded


class DeletionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")


DELETION_TRANSITIONS: dict[str, frozenset[str]] = {
    DeletionStatus.REQUESTED: frozenset({DeletionStatus.CANCELLED, DeletionStatus.COMPLETED}),
    DeletionStatus.CANCELLED: frozenset(),
    DeletionStatus.COMPLETED: frozenset(),
}


class DeletionRequest(StatusGuarded):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="deletion_requests",
        verbose_name=_("account"),
    )
    status = models.CharField(_("status"), max_length=10, choices=DeletionStatus, default=DeletionStatus.REQUESTED)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    due_at = models.DateTimeField(_("erased from"))
    closed_at = models.DateTimeField(_("cancelled or completed"), null=True, blank=True)
    summary = models.JSONField(
        _("what was erased and kept"), default=dict, blank=True, help_text=_("Counts only, never the data.")
    )

    class Meta:
        verbose_name = _("account deletion request")
        verbose_name_plural = _("account deletion requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="requested"), name="deletion_one_open_per_user"
            ),
            models.CheckConstraint(condition=Q(status__in=DeletionStatus.values), name="deletion_status_valid"),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="deletion_status_due_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} · {self.get_status_display()}"
