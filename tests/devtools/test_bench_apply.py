import io

import pytest
from django.core.management import call_command

from applicants.models import Application
from jinseed.accounts.models import User
from jinseed.devtools.bench.apply import data_read as bench_data_read
from jinseed.notifications.models import Notification
from positions.models import Cycle

pytestmark = pytest.mark.django_db(transaction=True)


def test_bench_apply_submits_each_prepared_student_once_and_cleans_up(live_server, tmp_path):
    sessions = tmp_path / "sessions.json"
    out = io.StringIO()
    call_command("bench_apply", prepare=4, posts=2, sessions=sessions, stdout=out)
    assert out.getvalue().startswith("prepared 4 students on 2 posts")

    call_command(
        "bench_apply", url=live_server.url, sessions=sessions, rates=[2], seconds=2, pause=0, timeout=60, stdout=out
    )

    lines = out.getvalue().splitlines()
    offered, _served_rate, served, refused, errors = lines[2].split()[:5]
    assert (offered, served, refused, errors) == ("2.0", "4", "0", "0")
    assert Application.objects.filter(cycle__title__startswith="bench apply").count() == 4
    assert Application.objects.values("student").distinct().count() == 4
    assert bench_data_read(sessions)["students"] == []
    assert Notification.objects.filter(kind="application_received").count() >= 4

    call_command("bench_apply", clean=True, stdout=out)
    assert Cycle.objects.count() == 0
    assert Application.objects.count() == 0
    assert not User.objects.filter(email__endswith="@apply.bench.invalid").exists()


def test_bench_apply_refuses_rates_beyond_the_prepared_students(live_server, tmp_path):
    from django.core.management import CommandError

    sessions = tmp_path / "sessions.json"
    call_command("bench_apply", prepare=2, sessions=sessions, stdout=io.StringIO())
    with pytest.raises(CommandError, match=r"The rates need 10 students; .* has 2 left"):
        call_command("bench_apply", url=live_server.url, sessions=sessions, rates=[5], seconds=2)


def test_a_second_run_goes_on_with_the_students_the_first_left(live_server, tmp_path):
    sessions = tmp_path / "sessions.json"
    call_command("bench_apply", prepare=4, posts=1, sessions=sessions, stdout=io.StringIO())
    for _run in range(2):
        out = io.StringIO()
        call_command(
            "bench_apply", url=live_server.url, sessions=sessions, rates=[1], seconds=2, pause=0, timeout=60, stdout=out
        )
        _offered, _rate, served, refused, errors = out.getvalue().splitlines()[1].split()[:5]
        assert (served, refused, errors) == ("2", "0", "0")
    assert Application.objects.values("student").distinct().count() == 4
    assert bench_data_read(sessions)["students"] == []


def test_a_step_the_generator_fell_behind_on_is_flagged_and_never_counts_as_held(monkeypatch, tmp_path):
    from jinseed.devtools.bench import apply as bench

    sessions = tmp_path / "sessions.json"
    student = {"session": "k", "path": "/posts/1/apply/"}
    bench.data_write(sessions, {"cookie": "s", "csrf_cookie": "c", "submitted": "/me/", "students": [student] * 15})

    def steps(*, rates, seconds, **kwargs):
        for rate, lag in zip(rates, (0.0, 0.5), strict=True):
            count = round(rate * seconds)
            yield bench.StepResult(
                rate=rate,
                seconds=seconds,
                offered=count,
                served=count,
                latencies=[0.05] * count,
                lags=[lag] * count,
                wall=seconds,
                cpu=seconds / 2,
            )

    monkeypatch.setattr(bench, "load_run", steps)
    out = io.StringIO()
    call_command("bench_apply", url="https://portal.invalid", sessions=sessions, rates=[1, 2], seconds=5, stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].endswith("late s gen cpu  error kinds")
    assert lines[1].split()[-2:] == ["0.00", "50%"]
    assert lines[2].split()[-2:] == ["0.50", "50%"]
    assert lines[3] == "held: 1/s (p95 <= 1 s with every submission served)"
    assert lines[4].startswith("generator behind its schedule at 2/s")
