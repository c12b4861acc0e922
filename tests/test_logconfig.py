"""One log format: ISO time in Shanghai with its offset, the request id on web lines, the task
id on worker lines, mobiles masked everywhere; gunicorn's lines look the same."""

import datetime as dt
import io
import logging
import logging.config
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from celery.signals import setup_logging
from django.db import connection

from jinseed.devtools.bench.outbox import Worker, free_port, wait_for
from jinseed.logconfig import IsoFormatter
from jinseed.logmask import MaskMobilesFilter
from tests.logtasks import log_from_a_task

ROOT = Path(__file__).resolve().parent.parent
ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00"


@pytest.fixture
def console():
    """The root handler settings.LOGGING installs, writing into a string for the test."""
    [handler] = [h for h in logging.getLogger().handlers if any(isinstance(f, MaskMobilesFilter) for f in h.filters)]
    stream = io.StringIO()
    old = handler.setStream(stream)
    yield stream
    handler.setStream(old)


def test_iso_time_is_shanghai_with_its_offset_and_milliseconds():
    record = logging.LogRecord("jinseed.x", logging.INFO, __file__, 1, "hello", None, None)
    record.created = dt.datetime(2026, 12, 6, 11, 3, 5, 34000, tzinfo=dt.UTC).timestamp()
    assert IsoFormatter().formatTime(record) == "2026-12-06T19:03:05.034+08:00"


@pytest.mark.django_db
def test_request_log_line_carries_the_request_id_sent_back_in_the_header(client, console):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    lines = [line for line in console.getvalue().splitlines() if "Not Found" in line]
    assert len(lines) == 1
    assert re.fullmatch(rf"{ISO} WARNING django\.request request_id={request_id}: Not Found: /no-such-page/", lines[0])
    # Each request has its own id, and none is left behind for lines logged outside a request.
    assert client.get("/no-such-page/")["X-Request-ID"] != request_id
    logging.getLogger("jinseed.tests.after").warning("after the request")
    assert re.fullmatch(rf"{ISO} WARNING jinseed\.tests\.after: after the request", console.getvalue().splitlines()[-1])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("peer", "incoming", "kept"),
    [
        ("10.0.0.2", "7f3a9c1e5b2d4f60a8e1c3b5d7f9a2c4", True),  # nginx's $request_id, from the trusted proxy
        ("203.0.113.9", "7f3a9c1e5b2d4f60a8e1c3b5d7f9a2c4", False),  # anyone else's header is ignored
        ("10.0.0.2", "bad id\nwith a line break", False),  # not an id: a log line must stay one line
        ("10.0.0.2", "short", False),
    ],
)
def test_request_id_comes_from_a_trusted_proxy_only_and_only_when_sane(client, settings, peer, incoming, kept):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    response = client.get("/no-such-page/", REMOTE_ADDR=peer, HTTP_X_REQUEST_ID=incoming)
    if kept:
        assert response["X-Request-ID"] == incoming
    else:
        assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_worker_log_line_carries_the_task_id_and_masks_mobiles(console):
    result = log_from_a_task.apply()  # the worker's own code path: task_prerun, the task, task_postrun
    assert result.successful()
    [task_line] = [line for line in console.getvalue().splitlines() if "jinseed.tests.task" in line]
    assert re.fullmatch(
        rf"{ISO} WARNING jinseed\.tests\.task task_id={result.id}: working for 139\*\*\*\*1111", task_line
    )
    logging.getLogger("jinseed.tests.task").warning("between tasks")
    assert "task_id=" not in console.getvalue().splitlines()[-1]


@pytest.mark.broker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_logs_in_the_same_format_with_the_task_id():
    """A worker process started as in production (``celery -A jinseed worker``)."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker process must see the test database: PostgreSQL only")
    worker = Worker(
        broker_url=os.environ["CELERY_BROKER_URL"],
        smtp_port=free_port(),
        name="logs",
        extra_env={"LOG_LEVEL": "INFO"},
        extra_args=["--include", "tests.logtasks"],
    )
    try:
        result = log_from_a_task.delay()
        line = rf"{ISO} WARNING jinseed\.tests\.task task_id={result.id}: working for 139\*\*\*\*1111"
        assert wait_for(lambda: re.search(line, worker.output()), timeout=60), worker.output()
    finally:
        worker.stop()
    assert "13900001111" not in worker.output()


def test_worker_logs_through_settings_logging_not_celerys_own_handlers(monkeypatch, settings):
    """The worker sends ``setup_logging``: the portal's receiver applies settings.LOGGING (the
    handlers above), and because a receiver answers, Celery installs no handler of its own."""
    applied = []
    monkeypatch.setattr(logging.config, "dictConfig", applied.append)
    receivers = setup_logging.send(sender=None, loglevel="INFO", logfile=None, format="", colorize=False)
    assert [receiver.__name__ for receiver, _ in receivers] == ["_worker_logging_from_settings"]
    assert applied == [settings.LOGGING]
    [handler] = settings.LOGGING["root"]["handlers"]
    assert settings.LOGGING["handlers"][handler]["filters"] == ["context", "mask_mobiles"]


GUNICORN_CONF = """
from jinseed.logconfig import GUNICORN_ACCESS_LOG_FORMAT, gunicorn_logconfig_dict

logconfig_dict = gunicorn_logconfig_dict()
access_log_format = GUNICORN_ACCESS_LOG_FORMAT
"""


def test_gunicorn_error_and_access_lines_use_the_same_format(tmp_path):
    """gunicorn with the two lines deploy/gunicorn.conf.py carries: its own lines and the
    access line of a request read like the portal's, the access line with the request id."""
    conf = tmp_path / "gunicorn.conf.py"
    conf.write_text(GUNICORN_CONF)
    out_path, err_path = tmp_path / "out.log", tmp_path / "err.log"
    env = {**os.environ, "DEBUG": "true"}
    with out_path.open("w") as out, err_path.open("w") as err:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(conf), "-b", "127.0.0.1:0", "-w", "1", "jinseed.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
        )
        try:
            deadline = time.monotonic() + 120
            port = None
            while port is None and time.monotonic() < deadline and server.poll() is None:
                found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", err_path.read_text())
                port = found and int(found.group(1))
                time.sleep(0.2)
            assert port, err_path.read_text()
            request_id = None
            while request_id is None and time.monotonic() < deadline:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/no-such-page/", timeout=30)
                except urllib.error.HTTPError as exc:  # the 404 is the answer wanted
                    request_id = exc.headers["X-Request-ID"]
                except OSError:  # the worker is still loading the portal
                    time.sleep(0.2)
            assert request_id
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    error_lines = err_path.read_text().splitlines()
    assert re.fullmatch(rf"{ISO} INFO gunicorn\.error: Starting gunicorn .+", error_lines[0])
    access = [line for line in out_path.read_text().splitlines() if "gunicorn.access" in line]
    assert len(access) == 1
    assert re.fullmatch(
        rf'{ISO} INFO gunicorn\.access: 127\.0\.0\.1 forwarded_for="-" "GET /no-such-page/ HTTP/1\.1" 404 \d+ \d+ms '
        rf"request_id={request_id}",
        access[0],
    )
    # The portal's own line for the same request, in the worker, with the same id.
    assert any(
        re.fullmatch(rf"{ISO} WARNING django\.request request_id={request_id}: Not Found: /no-such-page/", line)
        for line in error_lines
    )
