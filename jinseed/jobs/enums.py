from django.db import models
from django.utils.translation import pgettext_lazy


class JobStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("job status", "Waiting to start")
    RUNNING = "running", pgettext_lazy("job status", "Running")
    SUCCEEDED = "succeeded", pgettext_lazy("job status", "Finished")
    FAILED = "failed", pgettext_lazy("job status", "Failed")
    INTERRUPTED = "interrupted", pgettext_lazy("job status", "Interrupted")


# QUEUED → RUNNING is the worker's claim; QUEUED → FAILED a job that could not be handed to the
# broker. RUNNING ends SUCCEEDED, FAILED (an error, a time limit) or INTERRUPTED: its worker was
# lost mid-run, found by the reaper when its lease lapsed or when the broker redelivers the
# message. The three ends are final: staff start a new job rather than re-running an old one.
TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.QUEUED: frozenset({JobStatus.RUNNING, JobStatus.FAILED}),
    JobStatus.RUNNING: frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.INTERRUPTED}),
    JobStatus.SUCCEEDED: frozenset(),
    JobStatus.FAILED: frozenset(),
    JobStatus.INTERRUPTED: frozenset(),
}

FINISHED_STATUSES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.INTERRUPTED})
