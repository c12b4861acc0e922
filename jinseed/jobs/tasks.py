"""The jobs app's Celery tasks: thin, the work is in ``services``.

``job_run`` goes to the ``jobs`` queue (``CELERY_TASK_ROUTES``), so a long export never holds up
a notification; ``jobs_reap_task`` is the beat's periodic look for jobs whose worker was lost.

``acks_late`` with ``reject_on_worker_lost``: a worker killed mid-job gives its message back
to the broker, and the redelivered copy finds the row RUNNING and fails it with a message
(``services._claim``) rather than running half-done work a second time. A worker lost while
the broker keeps its message (Redis holds it for the visibility timeout) is found sooner by the
reaper: the job's lease lapses.
"""

from celery import shared_task
from django.conf import settings

from .services import job_execute, job_files_expire, jobs_reap_interrupted


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


@shared_task(ignore_result=True)
def jobs_reap_task() -> int:
    return jobs_reap_interrupted()
