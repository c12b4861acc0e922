"""Two requests that read then write at once on SQLite: both succeed, one after the other.

The portal's SQLite settings begin every transaction IMMEDIATE with a busy timeout, so the
second waits for the first instead of failing with "database is locked" when it upgrades
its read to a write. Tested on a real file with two threads, each on its own connection,
through Django's own ``transaction.atomic`` — the way every service writes. The file is
the test's own, outside the test database (and its per-test transaction), so these tests
unblock database access themselves instead of using the ``django_db`` mark.
"""

import threading
import time

import pytest
from django.conf import settings
from django.db import OperationalError, connections, transaction

ALIAS = "sqlite_race"


@pytest.fixture
def sqlite_file(tmp_path, django_db_blocker):
    """A database alias on a fresh SQLite file with the portal's options (or others)."""
    default = settings.DATABASES["default"]
    if default["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the SQLite options apply only when the portal runs on SQLite")

    def configure(**options):
        race = {"ENGINE": default["ENGINE"], "NAME": str(tmp_path / "race.sqlite3"), "OPTIONS": options}
        configured = connections.configure_settings({"default": dict(default), ALIAS: race})
        connections.settings[ALIAS] = configured[ALIAS]
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS seat (n INTEGER NOT NULL)")
        connections[ALIAS].close()

    with django_db_blocker.unblock():
        yield configure
    if ALIAS in connections.settings:
        connections[ALIAS].close()
        del connections[ALIAS]  # this thread's wrapper, which remembers the file
        del connections.settings[ALIAS]


def _read_then_write(start: threading.Barrier, outcomes: list) -> None:
    """What a service does: read (count the seats), think, then write the next one."""
    try:
        start.wait()
        with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM seat")
            (taken,) = cursor.fetchone()
            time.sleep(0.2)
            cursor.execute("INSERT INTO seat (n) VALUES (%s)", [taken + 1])
        outcomes.append("ok")
    except OperationalError as exc:
        outcomes.append(str(exc))
    finally:
        connections[ALIAS].close()


def _race() -> tuple[list, list]:
    start, outcomes = threading.Barrier(2), []
    threads = [threading.Thread(target=_read_then_write, args=(start, outcomes)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("SELECT n FROM seat ORDER BY n")
        seats = [n for (n,) in cursor.fetchall()]
    return sorted(outcomes), seats


def test_sqlite_options_are_wal_immediate_with_a_busy_timeout():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the SQLite options apply only when the portal runs on SQLite")
    assert settings.DATABASES["default"]["OPTIONS"] == {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }


def test_sqlite_two_read_then_write_transactions_both_succeed_in_turn(sqlite_file):
    sqlite_file(**settings.DATABASES["default"]["OPTIONS"])
    outcomes, seats = _race()
    assert outcomes == ["ok", "ok"]
    assert seats == [1, 2]
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone() == ("wal",)


def test_sqlite_without_immediate_the_second_writer_fails(sqlite_file):
    """The failure the settings prevent: a deferred transaction cannot upgrade its read."""
    sqlite_file(timeout=20, init_command="PRAGMA journal_mode=WAL;")
    outcomes, seats = _race()
    assert outcomes == ["database is locked", "ok"]
    assert seats == [1]


@pytest.mark.django_db
def test_database_still_locked_after_the_timeout_is_a_try_again_page(rf, client):
    from django.contrib.auth.models import AnonymousUser
    from django.db import OperationalError

    from jinseed.busy import DatabaseBusyMiddleware

    request = rf.post("/posts/1/apply/")
    request.user = AnonymousUser()
    response = DatabaseBusyMiddleware(lambda r: None).process_exception(request, OperationalError("database is locked"))
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert "此刻提交的人很多，您的操作未能保存，也没有做任何更改。" in response.content.decode()
    other = DatabaseBusyMiddleware(lambda r: None).process_exception(request, OperationalError("disk I/O error"))
    assert other is None
