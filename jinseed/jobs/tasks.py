"""The one Celery task of the jobs app: thin, the work is in ``services.job_execute``.

``acks_late`` with ``reject_on_worker_lost``: a worker killed mid-job gives its message back
to the broker, and the redelivered copy finds the row RUNNING and fails it with a message
(``services._claim``) rather than running half-done work a second time.
"""

from celery import shared_task
from django.conf import settings

from .services import job_execute, job_files_expire


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=settings.JOBS_SOFT_TIME_LIMIT_SECONDS,
    time_limit=settings.JOBS_SOFT_TIME_LIMIT_SECONDS + 60,
)
def job_run(job_id: int) -> str:
    return job_execute(job_id=job_id)


@shared_task(acks_late=True, ignore_result=True)
def job_files_expire_task() -> int:
    """Delete the export and data-copy files older than ``EXPORT_FILE_DAYS`` (beat, hourly)."""
    return job_files_expire()
