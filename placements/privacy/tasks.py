"""Periodic privacy chores, run by Celery beat (docs/personal-data.md)."""

from celery import shared_task

from .services.deletion import deletion_due_run


@shared_task(acks_late=True, ignore_result=True)
def account_deletions_run() -> int:
    """Erase the accounts whose deletion request is past its grace period."""
    return deletion_due_run()
