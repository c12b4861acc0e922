"""Reads of jobs."""

from jinseed.accounts.models import User
from jinseed.authz import can

from .models import Job


def job_get_for_user(*, user: User, pk: int) -> Job | None:
    """The job, when ``user`` may follow it (its creator, or programme staff); else ``None``."""
    job = Job.objects.filter(pk=pk).first()
    return job if job is not None and can("jobs.view_job", user, job) else None
