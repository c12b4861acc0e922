"""``/health/``: green JSON when everything holds, 503 when the database or a migration is
missing, never a secret or an exception's text in the answer."""

import contextlib

import pytest
from django.db import OperationalError, connection, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from jinseed import health

URL = "/health/"
LEAKY_ERROR = (
    'connection to server at "db.internal.example" failed: '
    'password authentication failed for user "jinseed" (password=s3cr3t-Pa55)'
)


def _failing_connection(self):
    raise OperationalError(LEAKY_ERROR)


@pytest.fixture(autouse=True)
def _no_broker(settings):
    """The checks of the web's own services; the worker's check is tested on its own below (and
    with a real worker by deploy/smoke/run), whatever broker the test run is configured with."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.mark.django_db
def test_health_is_green_json_with_the_database_migrations_and_storage(client):
    response = client.get(URL, headers={"accept": "application/json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "Database(alias='default')": "OK",
        "Migrations(alias='default')": "OK",
        "Storage(alias='default')": "OK",
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_format_parameter_gives_json_too(client):
    response = client.get(URL, {"format": "json"})
    assert (response.status_code, response["Content-Type"]) == (200, "application/json")


@pytest.mark.django_db
def test_health_is_503_without_a_secret_when_the_database_fails(client, monkeypatch, settings):
    # The check runs in a thread of its own, with its own connection object: patch the class.
    wrapper_class = type(connections["default"])
    monkeypatch.setattr(wrapper_class, "temporary_connection", contextlib.contextmanager(_failing_connection))
    response = client.get(URL, {"format": "json"})
    assert response.status_code == 503
    assert response.json()["Database(alias='default')"] == "Unavailable: The database does not answer."
    assert response.json()["Migrations(alias='default')"] == "Unavailable: The database does not answer."
    html = client.get(URL).content.decode()
    for page in (response.content.decode(), html):
        for secret in ("s3cr3t-Pa55", "db.internal.example", "password", settings.SECRET_KEY):
            assert secret not in page


@pytest.mark.django_db(transaction=True)
def test_health_is_503_when_a_migration_is_not_applied(client):
    # The newest migration of an app, as after deploying code before running ``migrate``.
    app, name = MigrationLoader(connection).graph.leaf_nodes()[0]
    recorder = MigrationRecorder(connection)
    row = recorder.migration_qs.get(app=app, name=name)
    row.delete()
    try:
        response = client.get(URL, {"format": "json"})
    finally:
        recorder.migration_qs.create(app=row.app, name=row.name, applied=row.applied)
    assert response.status_code == 503
    assert response.json()["Migrations(alias='default')"] == "Unavailable: 1 migration(s) not applied."
    assert response.json()["Database(alias='default')"] == "OK"
    assert client.get(URL, {"format": "json"}).status_code == 200


def test_health_checks_the_worker_only_when_a_broker_is_configured(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert health.CeleryWorker not in health.health_checks()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert health.health_checks() == [health.Database, health.Migrations, health.builtin.Storage, health.CeleryWorker]


def test_health_checks_a_shared_cache_and_not_a_local_one(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert health.builtin.Cache not in health.health_checks()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
    assert health.builtin.Cache in health.health_checks()


def test_health_worker_check_says_the_broker_is_down_at_once(monkeypatch):
    import socket

    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)  # Celery would prefer it to the app's own

    from celery import Celery
    from health_check.exceptions import ServiceUnavailable

    with socket.socket() as bound_not_listening:
        bound_not_listening.bind(("127.0.0.1", 0))
        port = bound_not_listening.getsockname()[1]
        check = health.CeleryWorker(app=Celery(broker=f"redis://127.0.0.1:{port}/0"))
        with pytest.raises(ServiceUnavailable) as exc:
            check.run()
    assert str(exc.value) == "Unavailable: The broker does not answer."
