"""``/health/``: what a load balancer or a monitoring probe asks before sending people here.

django-health-check runs the checks; this module chooses them from the settings and keeps
the answer safe to show to anyone: 200 when every check holds, 503 otherwise, and no check
ever puts an exception's text (a host name, a user, a password in a URL) into the page —
the details go to the log. JSON with ``Accept: application/json`` or ``?format=json``.

The checks: the database answers, every migration is applied, the default file storage
writes, reads and deletes a file, the cache (when it is a shared one), and — only when a
real broker is configured — a Celery worker answers a ping, which also proves the broker.
"""

import dataclasses
import datetime

from celery import Celery
from django import db
from django.conf import settings
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from health_check import checks as builtin
from health_check.base import HealthCheck
from health_check.contrib.celery import Ping
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from kombu.exceptions import KombuError

#: Cache backends private to one process: checking them proves nothing about the service.
_LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@dataclasses.dataclass
class Database(builtin.Database):
    """The library's ``SELECT 1``, with a fixed message: a driver's error names hosts and users."""

    def run(self):
        try:
            super().run()
        except ServiceUnavailable as exc:
            raise ServiceUnavailable("The database does not answer.") from exc


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Every migration the code knows is applied: code deployed before ``migrate`` ran is red."""

    alias: str = "default"

    def run(self):
        connection = connections[self.alias]
        try:
            with connection.temporary_connection():
                executor = MigrationExecutor(connection)
                plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except db.Error as exc:
            raise ServiceUnavailable("The database does not answer.") from exc
        if plan:
            raise ServiceUnavailable(f"{len(plan)} migration(s) not applied.")


@dataclasses.dataclass
class CeleryWorker(Ping):
    """A worker answers the broker's ping and consumes every declared queue."""

    app: Celery = dataclasses.field(default=None, repr=False)
    timeout: datetime.timedelta = dataclasses.field(default=datetime.timedelta(seconds=2), repr=False)

    def __post_init__(self):
        if self.app is None:
            from jinseed.celery import app

            self.app = app

    def run(self):
        # A broker that is down would keep the ping retrying: ask it once, then ping.
        try:
            with self.app.connection_for_read() as connection:
                connection.ensure_connection(max_retries=1, interval_start=0, timeout=self.timeout.total_seconds())
        except KombuError as exc:
            raise ServiceUnavailable("The broker does not answer.") from exc
        super().run()


def health_checks() -> list:
    """The checks for the current settings (read at each request, so tests can change them).

    Without a broker (``CELERY_BROKER_URL`` unset) Celery runs every task in the web process
    itself: there is no worker to ask, and the check would only ever be red.
    """
    chosen: list = [Database, Migrations, builtin.Storage]
    if settings.CACHES["default"]["BACKEND"] not in _LOCAL_CACHES:
        chosen.append(builtin.Cache)
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        chosen.append(CeleryWorker)
    return chosen


class HealthView(HealthCheckView):
    async def dispatch(self, request, *args, **kwargs):
        self.checks = health_checks()
        response = await super().dispatch(request, *args, **kwargs)
        # The library answers 500 when a check fails; a probe expects "unavailable".
        if response.status_code == 500:
            response.status_code = 503
        return response
