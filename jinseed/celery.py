"""The Celery application. Configuration comes from Django settings (``CELERY_*``)."""

import logging.config
import os

from celery import Celery
from celery.signals import setup_logging, task_postrun, task_prerun

from jinseed.logconfig import task_id_var

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinseed.settings")

app = Celery("jinseed")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _worker_logging_from_settings(**kwargs):
    """The worker logs through ``settings.LOGGING`` (one format, mobiles masked, the task id on
    every line a task causes) instead of installing handlers of its own; ``LOG_LEVEL`` sets the
    level, not the worker's ``--loglevel``."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


# The id of the task being run, for the log lines it causes (jinseed/logconfig.py). Tokens are
# kept per task id, so that a task run eagerly inside another restores the outer id.
_task_tokens: dict[str, object] = {}


@task_prerun.connect
def _task_id_in_logs(task_id=None, **kwargs):
    if task_id:
        _task_tokens[task_id] = task_id_var.set(task_id)


@task_postrun.connect
def _task_id_out_of_logs(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is None:
        return
    try:
        task_id_var.reset(token)
    except ValueError:  # set in another context (a pool that hops threads): clear it here
        task_id_var.set(None)
