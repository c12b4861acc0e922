from django.db import models
from django.utils.translation import pgettext_lazy


class JobStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("job status", "Waiting to start")
    RUNNING = "running", pgettext_lazy("job status", "Running")
    SUCCEEDED = "succeeded", pgettext_lazy("job status", "Finished")
    FAILED = "failed", pgettext_lazy("job status", "Failed")


# QUEUED → RUNNING is the worker's claim; QUEUED → FAILED a job that could not be handed to the
# broker. RUNNING ends SUCCEEDED or FAILED (an error, a time limit, or a worker lost mid-run,
# found when the broker redelivers the message). SUCCEEDED and FAILED are final: staff start a
# new job rather than re-running an old one.
TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.QUEUED: frozenset({JobStatus.RUNNING, JobStatus.FAILED}),
    JobStatus.RUNNING: frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED}),
    JobStatus.SUCCEEDED: frozenset(),
    JobStatus.FAILED: frozenset(),
}

FINISHED_STATUSES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED})
