"""The office's periodic chore: retention, daily (``CELERY_BEAT_SCHEDULE``, docs/features.md, "Retention")."""

from celery import shared_task

from placements.office.services import retention_run


@shared_task(acks_late=True, ignore_result=True)
def retention_run_task() -> list[dict]:
    """Snapshot and anonymise the archived cycles past ``RETENTION_YEARS``; harmless twice."""
    return retention_run()
