"""The Celery application. Configuration comes from Django settings (``CELERY_*``)."""

import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinseed.settings")

app = Celery("jinseed")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def _mask_mobiles_in_worker_logs(logger=None, **kwargs):
    """The worker replaces the root handlers with its own: they mask mobiles too."""
    from jinseed.logmask import MaskMobilesFilter, install_on_root_handlers

    install_on_root_handlers()
    for handler in getattr(logger, "handlers", []):
        if not any(isinstance(f, MaskMobilesFilter) for f in handler.filters):
            handler.addFilter(MaskMobilesFilter())
