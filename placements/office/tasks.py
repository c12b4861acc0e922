"""The office's background work: retention, daily (``CELERY_BEAT_SCHEDULE``, docs/features.md,
"Retention"), and counting the dashboard's figures again when they are old."""

from celery import shared_task

from placements.office.selectors import dashboard_figures_recount
from placements.office.services import retention_run


@shared_task(acks_late=True, ignore_result=True)
def retention_run_task() -> list[dict]:
    """Snapshot and anonymise the archived cycles past ``RETENTION_YEARS``; harmless twice."""
    return retention_run()


@shared_task(ignore_result=True)
def dashboard_figures_recount_task(year: int | None = None) -> None:
    """Count the dashboard's figures of ``year`` again while the page shows the old ones."""
    dashboard_figures_recount(year)
