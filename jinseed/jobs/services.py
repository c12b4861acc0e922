"""Every write to jobs: starting one, moving its status, and the progress its work reports.

``job_start`` is called by a domain service or view inside its own transaction; the broker
message goes out only when that transaction commits (``transaction.on_commit``), so a worker
never looks for a row that does not exist yet, and a rolled-back request starts nothing.
Without ``CELERY_BROKER_URL`` the task runs eagerly: the work is done inline at the commit,
and the page the user is sent to already shows the finished job.
"""

import copy
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any, cast

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import DEFAULT_DB_ALIAS, connection, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jinseed.accounts.models import User
from jinseed.errors import DomainError
from jinseed.statemachine import Change, StatusMachine

from .enums import FINISHED_STATUSES, TRANSITIONS, JobStatus
from .models import Job
from .registry import job_kind_find, job_kind_get

logger = logging.getLogger(__name__)


class JobError(DomainError):
    pass


@transaction.atomic
def job_start(*, kind: str, params: dict[str, Any] | None = None, actor: User | None = None) -> Job:
    """Queue a job of a registered ``kind``; its task is published when the caller commits."""
    job_kind_get(kind)  # a kind nobody registered is a programming error: fail here, not in the worker
    job = Job.objects.create(
        kind=kind,
        params=params or {},
        created_by=actor if actor is not None and actor.is_authenticated else None,
        language=translation.get_language() or "zh-hans",
    )
    transaction.on_commit(partial(_publish, job.pk))
    return job


def _publish(job_id: int) -> None:
    from .tasks import job_run

    try:
        job_run.delay(job_id)
    except Exception:  # the broker is down: say so on the page instead of leaving it queued
        logger.exception("Job %s could not be published to the broker", job_id)
        job = Job.objects.get(pk=job_id)
        with translation.override(job.language):
            message = _("The job could not be started because the task queue is unavailable. Try again later.")
        job_transition(job=job, to_status=JobStatus.FAILED, error=message)


def _job_audit(changes: Sequence[Change]) -> None:
    """A job's own timestamps and error are its record; the moves are logged."""
    for c in changes:
        logger.info("Job %s: %s → %s", c.pk, c.from_status, c.to_status)


JOB_MACHINE = StatusMachine(
    model=Job,
    transitions=TRANSITIONS,
    labels=JobStatus,
    error=JobError,
    audit=_job_audit,
    message=gettext_lazy("A job that is “%(from)s” cannot become “%(to)s”."),
)


def _move(job: Job, to_status: str, *, locked: bool = True, **fields: Any) -> Job:
    now = timezone.now()
    if to_status == JobStatus.RUNNING:
        fields.setdefault("started_at", now)
        fields.setdefault("heartbeat_at", now)
    if to_status in FINISHED_STATUSES:
        fields.setdefault("finished_at", now)
    return JOB_MACHINE.move(job, to_status, at=now, fields=fields, locked=locked)


@transaction.atomic
def job_transition(*, job: Job, to_status: str, **fields: Any) -> Job:
    """The one place a job changes status: locks the row, checks ``TRANSITIONS``, saves.

    ``fields`` are other columns written in the same save (``error``, ``result``, progress).
    """
    return _move(job, to_status, locked=False, **fields)


def _claim(job_id: int) -> tuple[Job | None, str]:
    """QUEUED → RUNNING, once. A message for a RUNNING job is the broker handing it out again:
    after its worker was lost (``acks_late``), or restored by a worker that lost its broker
    connection for a moment while the job went on. A job whose lease lapsed lost its worker and
    is ended INTERRUPTED, not run a second time; one whose lease is fresh is still being worked
    on, and the message is dropped (if that worker dies after all, the reaper finds the job)."""
    with transaction.atomic():
        job = Job.objects.select_for_update(of=("self",)).select_related("created_by").filter(pk=job_id).first()
        if job is None:
            return None, "missing"
        if job.status == JobStatus.RUNNING:
            if _lease_alive(job, timezone.now()):
                return None, "running"
            _move(job, JobStatus.INTERRUPTED, error=_interrupted_message(job))
            return None, "interrupted"
        if job.status != JobStatus.QUEUED:
            return None, "skipped"
        return _move(job, JobStatus.RUNNING), "claimed"


def _lease_alive(job: Job, now: datetime) -> bool:
    return job.heartbeat_at is not None and job.heartbeat_at >= now - timedelta(seconds=settings.JOBS_LEASE_SECONDS)


def _interrupted_message(job: Job) -> str:
    with translation.override(job.language):
        return _("The job was interrupted before it finished. Start it again.")


def job_execute(*, job_id: int) -> str:
    """Run one job (the body of ``tasks.job_run``): claim it, call its handler, record the end."""
    job, outcome = _claim(job_id)
    if job is None:
        return outcome
    context = JobContext(job)
    with translation.override(job.language), Heartbeat(job.pk):
        try:
            handler: Callable[[JobContext], dict[str, Any] | None] = job_kind_get(job.kind).load_handler()
            result = handler(context) or {}
        except DomainError as exc:
            return _fail(job, context, str(exc))
        except SoftTimeLimitExceeded:
            return _fail(job, context, _("The job took too long and was stopped. Nothing more was done."))
        except Exception:
            logger.exception("Job %s (%s) failed", job.pk, job.kind)
            return _fail(
                job, context, _("The job stopped because of an error in the portal. It has been logged; try again.")
            )
        finally:
            context.close()
        return _end(
            job,
            JobStatus.SUCCEEDED,
            result=result,
            progress_done=context.done,
            progress_total=max(context.total, context.done),
        )


def _end(job: Job, to_status: str, **fields: Any) -> str:
    """Record how the work ended. A job the reaper ended meanwhile (its worker stalled past the
    lease, then woke) stays interrupted: its person was already told to start it again."""
    try:
        job_transition(job=job, to_status=to_status, **fields)
    except JobError:
        logger.warning("Job %s ended %s after it had been marked interrupted; left interrupted", job.pk, to_status)
        return "interrupted"
    return str(to_status)


def jobs_reap_interrupted(*, now: datetime | None = None) -> int:
    """End INTERRUPTED every RUNNING job whose lease lapsed: its worker is gone (killed, out of
    memory, its machine lost) and nothing else will ever finish it. Each row is locked and its
    lease checked again, so a job whose worker renews it meanwhile keeps running.
    Returns how many jobs were ended."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.JOBS_LEASE_SECONDS)
    stale = Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff).values_list("pk", flat=True)
    reaped = 0
    for pk in list(stale):
        with transaction.atomic():
            job = Job.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if job is None or job.status != JobStatus.RUNNING or _lease_alive(job, now):
                continue
            logger.warning("Job %s (%s) lost its worker: no sign of life since %s", job.pk, job.kind, job.heartbeat_at)
            _move(job, JobStatus.INTERRUPTED, error=_interrupted_message(job))
            reaped += 1
    return reaped


class Heartbeat:
    """Renews a running job's lease from a thread of its own while the handler works, so that
    a handler busy in one long query is not taken for dead. SQLite has a single writer: there
    the progress writes are the only heartbeat (jobs run eagerly there anyway)."""

    def __init__(self, job_id: int, *, interval: float | None = None):
        self.job_id = job_id
        self.interval = settings.JOBS_HEARTBEAT_SECONDS if interval is None else interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "Heartbeat":
        if connection.vendor != "sqlite":
            self._thread = threading.Thread(target=self._run, name=f"job-{self.job_id}-heartbeat", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(heartbeat_at=timezone.now())
                except Exception:  # a database hiccup: the next beat (or progress write) renews it
                    logger.warning("Job %s: could not renew its lease", self.job_id, exc_info=True)
                    connections.close_all()
        finally:
            connections.close_all()  # this thread's own connections


def _fail(job: Job, context: "JobContext", message: str) -> str:
    return _end(
        job,
        JobStatus.FAILED,
        error=message,
        progress_done=context.done,
        progress_total=max(context.total, context.done),
    )


class JobContext:
    """What a job's handler gets: its parameters, who started it, and a progress reporter.

    Progress is written at most once per 1 % of the total or per ``min_interval`` seconds,
    whichever comes first, so a loop over 100,000 rows costs about a hundred small UPDATEs.
    A handler that does its work inside ``transaction.atomic`` (an import that must be all or
    nothing) would hide those UPDATEs from the page until it commits; on PostgreSQL they are
    therefore written through a second connection of their own, committed at once. SQLite
    allows a single writer, so there they go through the job's own connection (the page
    sees them at the end; on SQLite jobs run eagerly anyway).
    """

    def __init__(
        self,
        job: Job,
        *,
        min_interval: float = 0.5,
        min_fraction: float = 0.01,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.job = job
        self.done = job.progress_done
        self.total = job.progress_total
        self.writes = 0
        self._min_interval = min_interval
        self._min_fraction = min_fraction
        self._clock = clock
        self._written_done = self.done
        self._written_at = clock()
        self._side_connection: BaseDatabaseWrapper | None = None

    @property
    def params(self) -> dict[str, Any]:
        return cast(dict[str, Any], self.job.params)

    @property
    def actor(self) -> User | None:
        return self.job.created_by

    def set_total(self, total: int) -> None:
        """How many steps the work has, once known (written at once: the bar can start)."""
        self.total = max(int(total), 0)
        self.done = min(self.done, self.total)
        self._write()

    def advance(self, steps: int = 1) -> None:
        self.done = min(self.done + steps, self.total) if self.total else self.done + steps
        step = max(1, math.ceil(self.total * self._min_fraction))
        if (
            self.done - self._written_done >= step
            or self._clock() - self._written_at >= self._min_interval
            or (self.total and self.done == self.total)
        ):
            self._write()

    def save_file(self, name: str, content: bytes) -> str:
        """Keep ``content`` as the job's result file (private storage), served by ``jobs:file``."""
        self.job.result_file.save(name, ContentFile(content), save=False)
        kind = job_kind_find(self.job.kind)
        if kind is not None and kind.personal_data:
            self.job.file_expires_at = timezone.now() + timedelta(days=settings.EXPORT_FILE_DAYS)
        stored = self.job.result_file.name or ""
        Job.objects.filter(pk=self.job.pk).update(result_file=stored, file_expires_at=self.job.file_expires_at)
        return stored

    def _write(self) -> None:
        self._written_done, self._written_at = self.done, self._clock()
        self.writes += 1
        total = max(self.total, self.done)
        now = timezone.now()  # a progress write renews the job's lease too
        alias = router.db_for_write(Job)
        job_connection = connections[alias]
        if job_connection.in_atomic_block and job_connection.vendor != "sqlite":
            side = self._side(alias)
            table, quote = Job._meta.db_table, side.ops.quote_name
            with side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {quote(table)} SET {quote('progress_done')} = %s, {quote('progress_total')} = %s, "  # noqa: S608 - names from the model, values bound
                    f"{quote('heartbeat_at')} = %s WHERE {quote('id')} = %s",
                    [self.done, total, now, self.job.pk],
                )
        else:
            Job.objects.filter(pk=self.job.pk).update(progress_done=self.done, progress_total=total, heartbeat_at=now)

    def _side(self, alias: str = DEFAULT_DB_ALIAS) -> BaseDatabaseWrapper:
        if self._side_connection is None:
            settings_dict = copy.deepcopy(connections[alias].settings_dict)
            self._side_connection = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
        return self._side_connection

    def close(self) -> None:
        if self._side_connection is not None:
            self._side_connection.close()
            self._side_connection = None


# --- Result files: download, expiry, deletion ---------------------------------------------------


def job_file_open(*, job: Job, actor: User | None) -> File[bytes]:
    """Open the job's file for ``actor`` (already allowed by ``jobs.download_file`` or a signed
    link); a file holding personal data is recorded in the audit trail first: who, which job,
    how many rows, masked or not."""
    from jinseed.audit.models import DataAccess
    from jinseed.audit.services import data_access_record

    kind = job_kind_find(job.kind)
    if kind is not None and kind.personal_data:
        data_access_record(
            kind=DataAccess.Kind.FILE_DOWNLOAD,
            actor=actor,
            subject=f"{job.kind} #{job.pk}: {os.path.basename(job.result_file.name or '')}",
            filters={"job_id": job.pk, "kind": job.kind, "started_by": job.created_by_id},
            row_count=int((job.result or {}).get("rows") or 0),
            masked=bool((job.result or {}).get("masked", False)),
        )
    return job.result_file.open("rb")


def job_file_delete(*, job: Job, at: datetime | None = None) -> bool:
    """Delete the job's stored file (the row stays, noting when); ``False`` when it had none."""
    if not job.result_file:
        return False
    at = at or timezone.now()
    job.result_file.delete(save=False)
    Job.objects.filter(pk=job.pk).update(result_file="", file_deleted_at=at)
    job.file_deleted_at = at
    return True


def job_files_expire(*, now: datetime | None = None) -> int:
    """Delete every file past its ``file_expires_at`` (the beat task); returns how many."""
    now = now or timezone.now()
    deleted = 0
    for job in Job.objects.filter(file_expires_at__lte=now, file_deleted_at__isnull=True).exclude(result_file=""):
        deleted += job_file_delete(job=job, at=now)
    return deleted
