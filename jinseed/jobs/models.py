"""One row per piece of long work run in the background (an import, an export, an allocation).

Lifecycle (see ``enums.TRANSITIONS``): ``services.job_start`` creates the row QUEUED and, once
its transaction commits, publishes the id to ``tasks.job_run``; the worker claims the row
(QUEUED → RUNNING), calls the work function registered for ``kind`` with a ``JobContext``
that writes progress as it goes, and ends the row SUCCEEDED with its ``result`` or FAILED with
a message fit to show the person who started it.

A file holding personal data (an export, a copy of a student's data) is kept until
``file_expires_at`` (``EXPORT_FILE_DAYS`` after it was made); the beat task
``tasks.job_files_expire`` then deletes it and notes ``file_deleted_at``, and the row stays as
the record of what was made. Erasing an account deletes the files that hold that person early.

While it runs, the row's ``heartbeat_at`` is its lease: the worker renews it every
``JOBS_HEARTBEAT_SECONDS`` (and with every progress write). A RUNNING job whose lease is older
than ``JOBS_LEASE_SECONDS`` lost its worker, and the periodic reaper ends it INTERRUPTED.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jinseed.statemachine import StatusGuarded
from jinseed.storage import PrivateStorage

from .enums import FINISHED_STATUSES, JobStatus


class Job(StatusGuarded):
    kind = models.CharField(_("kind"), max_length=80)
    status = models.CharField(_("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    # The language of the person who started the job: its messages are written in it.
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    result_file = models.FileField(
        _("result file"), storage=PrivateStorage(), upload_to="jobs/%Y/%m/", blank=True, max_length=200
    )
    file_expires_at = models.DateTimeField(_("file deleted after"), null=True, blank=True)
    file_deleted_at = models.DateTimeField(_("file deleted"), null=True, blank=True)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=JobStatus.values), name="job_status_valid"),
            models.CheckConstraint(
                condition=Q(progress_total=0) | Q(progress_done__lte=F("progress_total")), name="job_progress_order"
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "-created_at"], name="job_kind_created_idx"),
            models.Index(
                fields=["file_expires_at"], name="job_file_expires_idx", condition=Q(file_deleted_at__isnull=True)
            ),
            # the reaper's scan: the few RUNNING rows, by lease
            models.Index(fields=["heartbeat_at"], condition=Q(status="running"), name="job_running_heartbeat_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def is_interrupted(self) -> bool:
        return self.status == JobStatus.INTERRUPTED

    @property
    def percent(self) -> int:
        """Whole percent done, for the progress bar; a finished job is at 100."""
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)
