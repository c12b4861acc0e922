"""The beat schedule run in-process for ``make run`` (jinseed.periodic), on a fake clock."""

import datetime

import pytest
from celery.schedules import crontab
from django.core.management import CommandError, call_command

from jinseed.periodic import PeriodicRunner

START = datetime.datetime(2026, 6, 20, 7, 0, tzinfo=datetime.UTC)  # 15:00 in Shanghai


class FakeClock:
    def __init__(self, now: datetime.datetime):
        self.now = now

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += datetime.timedelta(**delta)


@pytest.fixture
def clock():
    return FakeClock(START)


def _runner(clock, schedule):
    ran: list[tuple[str, tuple, datetime.datetime]] = []
    runner = PeriodicRunner(schedule, clock=clock, run=lambda task, args, kwargs: ran.append((task, args, clock())))
    return runner, ran


def test_interval_entry_runs_once_per_period_from_the_start(clock):
    runner, ran = _runner(clock, {"sweep": {"task": "t.sweep", "schedule": 60}})
    assert runner.tick() == 60
    clock.advance(seconds=59)
    assert runner.tick() == pytest.approx(1)
    assert ran == []
    clock.advance(seconds=1)
    runner.tick()
    clock.advance(seconds=30)
    runner.tick()
    clock.advance(seconds=30)
    runner.tick()
    assert [(task, at - START) for task, _args, at in ran] == [
        ("t.sweep", datetime.timedelta(seconds=60)),
        ("t.sweep", datetime.timedelta(seconds=120)),
    ]


def test_crontab_entry_runs_at_its_time_in_shanghai(clock):
    runner, ran = _runner(
        clock, {"daily": {"task": "t.daily", "schedule": crontab(hour=7, minute=30), "args": ("daily",)}}
    )
    clock.advance(hours=16)  # 07:00 the next day in Shanghai
    runner.tick()
    assert ran == []
    clock.advance(minutes=30)
    runner.tick()
    runner.tick()
    assert ran == [("t.daily", ("daily",), START + datetime.timedelta(hours=16, minutes=30))]


def test_a_failing_task_does_not_stop_the_others(clock):
    ran = []

    def run(task, args, kwargs):
        if task == "t.broken":
            raise RuntimeError("broken")
        ran.append(task)

    runner = PeriodicRunner(
        {"a": {"task": "t.broken", "schedule": 10}, "b": {"task": "t.fine", "schedule": 10}}, clock=clock, run=run
    )
    clock.advance(seconds=10)
    runner.tick()
    assert ran == ["t.fine"]


def test_project_schedule_runs_its_real_tasks_eagerly(settings, clock, db):
    """Every entry of the portal's own schedule names a task that exists and runs in-process."""
    from celery import current_app

    runner = PeriodicRunner(settings.CELERY_BEAT_SCHEDULE, clock=clock)
    for entry in runner.entries.values():
        assert entry["task"] in current_app.tasks, entry["task"]
    ran = []
    runner.run = lambda task, args, kwargs: ran.append(task)
    for _ in range(24 * 4):  # a day, a look every quarter of an hour
        clock.advance(minutes=15)
        runner.tick()
    assert set(ran) == {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert ran.count("placements.privacy.tasks.account_deletions_run") == 1  # daily at 03:15


def test_run_periodic_refuses_with_a_broker(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with pytest.raises(CommandError, match="celery -A jinseed beat"):
        call_command("run_periodic")
