"""Reads of jobs."""

from .models import Job
from .rules import can


def job_get_for_user(*, user, pk: int) -> Job | None:
    """The job, when ``user`` may follow it (its creator, or programme staff); else ``None``."""
    job = Job.objects.filter(pk=pk).first()
    return job if job is not None and can("view_job", user, job) else None
