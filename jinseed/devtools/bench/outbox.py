"""Machinery for the delivery benchmark and the reliability test: an SMTP sink that counts
what it receives, Celery worker processes, and a broker switch for the current process.

Used by ``manage.py bench_notifications`` and ``tests/notifications/test_reliability.py``.
Needs ``aiosmtpd`` (a development requirement).
"""

import collections
import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink:
    """An aiosmtpd server on loopback counting messages by their ``X-Jinseed-Notification``
    and the connections (sessions) they came over. Addresses in ``refused`` are answered
    ``550`` at RCPT, as a mail server answers an unknown mailbox.

    aiosmtpd logs every command of every session at INFO on ``mail.log``; the sink turns that
    down while it runs, since writing those lines would cost the measuring process more CPU
    than receiving the mail."""

    def __init__(self, *, refused: frozenset[str] = frozenset()):
        from aiosmtpd.controller import Controller

        self.received: collections.Counter[int] = collections.Counter()
        self.last_message: dict[int, bytes] = {}
        self.connections = 0
        self.refused = refused
        self.first_at: float | None = None
        self.last_at: float | None = None
        self._lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self._lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        marker = b"X-Jinseed-Notification: "
        content = envelope.original_content or envelope.content
        start = content.find(marker)
        if start >= 0:
            end = content.find(b"\r\n", start)
            pk = int(content[start + len(marker) : end].strip())
            with self._lock:
                self.received[pk] += 1
                self.last_message[pk] = content
                now = time.monotonic()
                self.first_at = self.first_at or now
                self.last_at = now
        return "250 OK"

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.received.values())

    def __enter__(self):
        self._log_level = logging.getLogger("mail.log").level
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
        logging.getLogger("mail.log").setLevel(self._log_level)


def database_url() -> str:
    """A URL for the database this process uses now (in tests: pytest-django's test_<name>)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] or ""
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """A ``celery worker`` subprocess in its own session, so SIGKILL takes all of it.

    ``pool="solo"`` runs tasks in the worker process itself: a SIGKILL then loses exactly
    the one task in flight, which is what the reliability test measures.
    """

    def __init__(
        self,
        *,
        broker_url: str,
        smtp_port: int,
        name: str,
        pool: str = "solo",
        concurrency: int = 1,
        extra_env: dict | None = None,
        extra_args: list[str] | None = None,
    ):
        self.log = tempfile.NamedTemporaryFile(prefix=f"celery-{name}-", suffix=".log", delete=False)  # noqa: SIM115
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "jinseed.settings",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker_url,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "LOG_LEVEL": "WARNING",
            **(extra_env or {}),
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "jinseed",
            "worker",
            f"--pool={pool}",
            f"--concurrency={concurrency}",
            "--loglevel=WARNING",
            f"--hostname={name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            *(extra_args or []),
        ]
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, cwd=BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def kill(self) -> None:
        """SIGKILL: no shutdown, no acks, the task in flight is simply lost."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-5000:]


class RedisServer:
    """A private, non-persistent redis-server on a free loopback port, which we may restart."""

    def __init__(self):
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="jinseed-redis-")
        self.process: subprocess.Popen | None = None

    @classmethod
    def available(cls) -> bool:
        return shutil.which("redis-server") is not None

    def url(self, db: int = 5) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - redis-server found on PATH, fixed arguments
            [
                self.binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
                "--logfile",
                os.path.join(self.dir, "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def restart(self) -> None:
        """Kill and start again: with no persistence, every message in the broker is gone."""
        self.stop()
        self.start()


@contextlib.contextmanager
def broker_for_this_process(url: str):
    """Make this process publish to ``url`` (and not eagerly) until the block ends."""
    from jinseed.celery import app

    def reset():
        # Close every broker connection of this process and forget the pools: kombu keeps
        # them in a registry per URL, so a pool merely closed would be handed out again (and
        # refuse: "Acquire on closed pool") the next time anything publishes to that URL.
        from kombu import pools

        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    # Celery prefers the CELERY_BROKER_URL environment variable to ``broker_url``; the write
    # URL, used for publishing, takes precedence over both.
    # (Celery 5.6 reads CELERY_TASK_ALWAYS_EAGER before task_always_eager: set it by that name.)
    saved = app.conf.broker_write_url, app.conf.task_always_eager
    app.conf.broker_write_url, app.conf["CELERY_TASK_ALWAYS_EAGER"] = url, False
    reset()
    try:
        yield
    finally:
        reset()
        app.conf.broker_write_url, app.conf["CELERY_TASK_ALWAYS_EAGER"] = saved


def wait_for(predicate, *, timeout: float, interval: float = 0.2, on_tick=None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if on_tick:
            on_tick()
        time.sleep(interval)
    return predicate()
