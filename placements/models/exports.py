"""One row per export a member of staff or a unit coordinator asked for (``placements.office.exports``).

The row says what was asked (kind, format, filter, masked or not and why) and which job makes
the file; the ``DataAccess`` audit row is written when the file is made. Its ``Meta.permissions``
carry the separate permission to export ID numbers unmasked, which programme staff must be
granted explicitly (being a superuser is not enough, see ``placements.office.exports.rules``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jinseed.jobs.models import Job
from positions.models import HostUnit


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel (.xlsx)")
    CSV = "csv", _("CSV (UTF-8)")


class Export(models.Model):
    kind = models.CharField(_("export"), max_length=40)
    file_format = models.CharField(_("format"), max_length=4, choices=ExportFormat)
    filters = models.JSONField(_("filter"), default=dict, blank=True)
    #: The unit a coordinator's export is limited to; ``None`` for programme staff.
    scope_unit = models.ForeignKey(
        HostUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("limited to the unit"),
    )
    masked = models.BooleanField(_("ID numbers masked"), default=True)
    reason = models.TextField(_("reason"), blank=True)
    job = models.OneToOneField(
        Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("job")
    )
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    #: The accounts of the students whose rows the file holds: erasing one of them deletes the
    #: file (``placements.privacy.services.deletion``). ``None`` when the kind cannot tell.
    subject_user_ids = models.JSONField(_("students in the file"), null=True, blank=True, default=None)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
        db_index=False,
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        permissions = [("export_unmasked_id", _("Can export unmasked ID numbers and mobile numbers (with a reason)"))]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="export_creator_created_idx")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def kind_label(self) -> str:
        from placements.office.exports.registry import export_kind_get

        kind = export_kind_get(self.kind)
        return str(kind.label) if kind else self.kind
