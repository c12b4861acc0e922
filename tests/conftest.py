import pytest

from tests import factories


def pytest_configure(config):
    """Tests create hundreds of accounts: a fast hash keeps the suite quick. The real
    hashers stay listed after it so that hashes made with them still verify."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploaded files of a test go to its own temporary folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Nothing a test cached (the dashboard's figures) is seen by the next one."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client():
    """pytest-django's test client, whose ``force_login`` also passes the second factor for
    staff and coordinators (``verified=False`` to not): see tests/auth.py."""
    from tests.auth import PortalClient

    return PortalClient()


@pytest.fixture
def sms_outbox(settings):
    """Text messages of a test are kept in a list (``(mobile, text)``) instead of logged."""
    from jinseed.notifications.sms import LocmemSmsBackend

    settings.SMS_BACKEND = "jinseed.notifications.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox = []
    yield LocmemSmsBackend.outbox


@pytest.fixture
def cycle(db):
    return factories.CycleFactory()


@pytest.fixture
def staff_user(db):
    return factories.StaffFactory()


@pytest.fixture
def student(db):
    return factories.StudentProfileFactory()


# --- Celery: eager by default, a real broker only for tests marked `broker` ---------------
# (owned with jinseed/notifications). In the PostgreSQL + Redis run CELERY_BROKER_URL is set,
# so settings say "not eager"; ordinary tests must still run tasks in-process. Tests that
# need the tasks queued by `transaction.on_commit` to run use pytest-django's
# `django_capture_on_commit_callbacks(execute=True)`.
def _redis_broker_configured() -> bool:
    import os

    return os.environ.get("CELERY_BROKER_URL", "").startswith(("redis://", "rediss://"))


def pytest_collection_modifyitems(config, items):
    if _redis_broker_configured():
        return
    skip = pytest.mark.skip(reason="needs CELERY_BROKER_URL=redis://… (a real broker)")
    for item in items:
        # object storage tests (moto's S3 server) run in the same PostgreSQL + Redis run
        if "broker" in item.keywords or "s3" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _celery_eager(request):
    if request.node.get_closest_marker("broker"):
        yield
        return
    from jinseed.celery import app

    # Celery 5.6 looks a setting up by its Django name (CELERY_TASK_ALWAYS_EAGER) before the
    # plain one, so a change made at run time is written under that name.
    saved = app.conf.task_always_eager
    app.conf["CELERY_TASK_ALWAYS_EAGER"] = True
    yield
    app.conf["CELERY_TASK_ALWAYS_EAGER"] = saved


# --- The demo data, seeded once per module ---------------------------------------------------
@pytest.fixture(scope="module")
def demo_seeded(django_db_setup, django_db_blocker):
    """``seed_demo`` once for the whole module, inside a transaction rolled back at its end:
    every test of the module sees the same demo data (its own writes are rolled back after
    it, as usual), and the rest of the suite an empty database. Returns the command's output."""
    import io

    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = io.StringIO()
            call_command("seed_demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the portal's default language (Chinese), whatever the test before it
    activated in this thread (a view answering in English, ``translation.override`` left open)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
