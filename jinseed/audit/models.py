"""The audit trail of status changes for the state machines without a table of their own.

Posts (``PostTransition``), applications (``ApplicationEvent``) and placements
(``PlacementEvent``) keep their own history, shown on their pages; cycles, interviews,
offers, activities and term switch requests write here, through ``jinseed.statemachine``.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class StatusChange(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name=_("kind"), db_index=False)
    object_id = models.PositiveBigIntegerField(_("object id"))
    subject = GenericForeignKey("content_type", "object_id")
    from_status = models.CharField(_("from"), max_length=20)
    to_status = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="status_change_subject_idx")]

    def __str__(self) -> str:
        return f"{self.content_type.name} {self.object_id}: {self.from_label} → {self.to_label}"

    def status_label(self, value: str) -> str:
        """A status as its model names it: the choices of the audited model's status field
        (the state machines audit a field called ``status``), the stored code otherwise."""
        model = self.content_type.model_class()
        try:
            choices = getattr(model._meta.get_field("status"), "flatchoices", ()) if model else ()
        except LookupError:
            choices = ()
        return str(dict(choices).get(value, value))

    @property
    def from_label(self) -> str:
        return self.status_label(self.from_status)

    @property
    def to_label(self) -> str:
        return self.status_label(self.to_status)


class DataAccess(models.Model):
    """A record of personal data leaving the portal's masked views: an export, a data copy for
    the person themselves, the download of such a file, or staff revealing an ID number or a
    mobile number. Written by the services that do it
    (``data_access_record``), listed read-only in the admin."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Export")
        PERSONAL_DATA = "personal_data", _("Personal data copy")
        ID_NUMBER_VIEW = "id_number_view", _("ID number shown unmasked")
        FILE_DOWNLOAD = "file_download", _("File downloaded")
        MOBILE_VIEW = "mobile_view", _("Mobile number shown unmasked")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    subject = models.CharField(_("what"), max_length=120, help_text=_("The export or the record concerned."))
    filters = models.JSONField(_("filter"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    masked = models.BooleanField(_("ID numbers masked"), default=True)
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "at"], name="data_access_kind_at_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.subject} · {self.at:%Y-%m-%d %H:%M}"


class SecondFactorEvent(models.Model):
    """A change to someone's second factor: set up, recovery codes renewed or used, removed.
    Written by ``jinseed.accounts.twofactor``; a reset by staff names who did it."""

    class Kind(models.TextChoices):
        ENROLLED = "enrolled", _("Authenticator app set up")
        RECOVERY_CODES_RENEWED = "codes_renewed", _("New recovery codes made")
        RECOVERY_CODE_USED = "code_used", _("Recovery code used")
        RESET = "reset", _("Second factor removed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("account"),
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("second factor event")
        verbose_name_plural = _("second factor events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"
