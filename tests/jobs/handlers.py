"""Job kinds for the tests of ``jinseed.jobs``: registered when this module is imported (by the
tests, and by a test worker started with ``--include tests.jobs.handlers``)."""

import time
from pathlib import Path

from django.db import transaction

from jinseed.errors import DomainError
from jinseed.jobs.registry import job_kind_register


class SheetError(DomainError):
    pass


#: The longest a held job waits for its test to release it (a test that died leaves no worker
#: waiting for ever).
HOLD_LIMIT = 600


def count(context) -> dict:
    """Count to ``steps``; with ``hold_at`` and ``release`` (a file path), stop after that
    many steps until the test creates the file: it can then see the progress while the job is
    still inside its transaction, however slow the machine."""
    steps = context.params["steps"]
    hold_at, release = context.params.get("hold_at"), context.params.get("release")
    context.set_total(steps)
    with transaction.atomic():  # the way an all-or-nothing import works
        for step in range(1, steps + 1):
            context.advance()
            if step == hold_at:
                waited = time.monotonic()
                while not Path(release).exists() and time.monotonic() - waited < HOLD_LIMIT:
                    time.sleep(0.05)
    return {"counted": steps}


def refuse(context) -> dict:
    context.set_total(10)
    context.advance(3)
    raise SheetError("工作表第3行单位名称未知。")


def crash(context) -> dict:
    raise RuntimeError("a bug")


def report(context) -> dict:
    context.set_total(1)
    context.save_file("report.txt", "岗位,人数\n".encode())
    context.advance()
    return {}


job_kind_register("tests.count", handler="tests.jobs.handlers.count", label="Count")
job_kind_register("tests.refuse", handler="tests.jobs.handlers.refuse", label="Refuse")
job_kind_register("tests.crash", handler="tests.jobs.handlers.crash", label="Crash")
job_kind_register("tests.report", handler="tests.jobs.handlers.report", label="Report")


def idle(context) -> dict:
    """Works without reporting progress (one long query, say): only the heartbeat shows it lives."""
    deadline = time.monotonic() + context.params["seconds"]
    while time.monotonic() < deadline:
        time.sleep(0.05)
    return {}


job_kind_register("tests.idle", handler="tests.jobs.handlers.idle", label="Idle")
