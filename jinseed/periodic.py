"""The beat schedule without beat: runs ``CELERY_BEAT_SCHEDULE``'s tasks in this process.

In development without Redis (``make run``) Celery runs tasks eagerly and no beat runs, yet
timed work must still happen: a held offer announced at its time, reminders, expiries, the
jobs reaper. ``manage.py run_periodic`` (started by ``make run`` beside the development server)
loops over ``PeriodicRunner.tick``, which runs each due task in-process, as a worker would.
A deployment with a broker runs ``celery beat`` instead (jinseed.beat).

Timing follows beat's: an entry is first due one period after the runner starts (a crontab
entry at its next time), then each period after its last run. The clock is injected, so the
tick is tested with a fake one.
"""

import datetime
import logging
from collections.abc import Callable

from celery.schedules import schedule as interval_schedule

# The project's app, not Celery's current one: another app made current in the process (a test's
# worker) must not change the time zone a crontab is read in.
from jinseed.celery import app as celery_app

logger = logging.getLogger(__name__)


class PeriodicRunner:
    def __init__(
        self,
        beat_schedule: dict,
        *,
        clock: Callable[[], datetime.datetime],
        run: Callable[[str, tuple, dict], object] | None = None,
    ):
        # in the app's time zone, as beat's clock is: a crontab reads its hours in that of
        # the last run (Asia/Shanghai's)
        self.clock = lambda: clock().astimezone(celery_app.timezone)
        self.run = run or run_task_eagerly
        self.entries: dict[str, dict] = {}
        celery_app.loader.import_default_modules()
        started = self.clock()
        for name, entry in beat_schedule.items():
            every = entry["schedule"]
            if isinstance(every, int | float | datetime.timedelta):
                every = interval_schedule(every)
            every = _with_clock(every, self.clock)
            self.entries[name] = {
                "task": entry["task"],
                "args": tuple(entry.get("args", ())),
                "kwargs": dict(entry.get("kwargs", {})),
                "schedule": every,
                "last_run_at": started,
            }

    def tick(self) -> float:
        """Run every due entry once; return the seconds until the next one is due."""
        waits = []
        for name, entry in self.entries.items():
            due, wait = entry["schedule"].is_due(entry["last_run_at"])
            if due:
                entry["last_run_at"] = self.clock()
                logger.info("Periodic %s: running %s", name, entry["task"])
                try:
                    self.run(entry["task"], entry["args"], entry["kwargs"])
                except Exception:  # one failing chore must not stop the others
                    logger.exception("Periodic %s (%s) failed", name, entry["task"])
            waits.append(wait)
        return min(waits, default=60.0)


def _with_clock(every, clock):
    """A copy of a Celery schedule that reads ``clock`` for "now" (beat reads the app's)."""
    import copy

    every = copy.copy(every)
    every.nowfun = clock
    every.app = celery_app
    return every


def run_task_eagerly(task_name: str, args: tuple, kwargs: dict):
    """Run a registered Celery task in this process, as a worker would, and return its result."""
    celery_app.loader.import_default_modules()  # every app's tasks module, as a worker loads them
    task = celery_app.tasks[task_name]
    result = task.apply(args=args, kwargs=kwargs)
    if result.failed():
        logger.error("Periodic task %s failed: %r", task_name, result.result)
    return result.result
