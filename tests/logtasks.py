"""A task that logs, for the log format tests (in-process and in a real worker)."""

import logging

from jinseed.celery import app


@app.task(name="tests.logtasks.log_from_a_task")
def log_from_a_task():
    logging.getLogger("jinseed.tests.task").warning("working for 13900001111")
