"""Two requests that read then write at once on SQLite: both succeed, one after the other.

The portal's SQLite settings begin every transaction IMMEDIATE with a busy timeout, so the
second waits for the first instead of failing with "database is locked" when it upgrades
its read to a write. Tested on a real file with two threads, each on its own connection,
through Django's own ``transaction.atomic`` — the way every service writes. The file is
the test's own, outside the test database (and its per-test transaction), so these tests
unblock database access themselves instead of using the ``django_db`` mark.
"""

import threading

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


#: How long a thread waits for the other at a meeting point: generous, as a loaded machine may
#: need; never reached when both threads run.
MEET_TIMEOUT = 120


def _read_then_write(after_read, outcomes: list) -> None:
    """What a service does: read (count the seats), then write the next one."""
    try:
        with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM seat")
            (taken,) = cursor.fetchone()
            after_read()
            cursor.execute("INSERT INTO seat (n) VALUES (%s)", [taken + 1])
        outcomes.append("ok")
    except (OperationalError, threading.BrokenBarrierError) as exc:
        outcomes.append(str(exc))
    finally:
        connections[ALIAS].close()


def _race(*, both_read_first: bool) -> tuple[list, list]:
    """Two threads read then write. With ``both_read_first`` neither writes before both have
    read (a barrier between the read and the write): the race a deferred transaction loses.
    Without, the second starts its transaction once the first has read, while the first
    still holds its transaction open until the second has begun (its BEGIN then waits)."""
    outcomes: list = []
    if both_read_first:
        barrier = threading.Barrier(2, timeout=MEET_TIMEOUT)
        targets = [lambda: barrier.wait(), lambda: barrier.wait()]
        starts = [threading.Event(), threading.Event()]
        for start in starts:
            start.set()
    else:
        first_read, second_starting = threading.Event(), threading.Event()

        def first_after_read():
            first_read.set()
            second_starting.wait(MEET_TIMEOUT)

        targets = [first_after_read, lambda: None]
        starts = [threading.Event(), first_read]
        starts[0].set()

    def run(index: int) -> None:
        starts[index].wait(MEET_TIMEOUT)
        if index == 1 and not both_read_first:
            second_starting.set()
        _read_then_write(targets[index], outcomes)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(2)]
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
    outcomes, seats = _race(both_read_first=False)
    assert outcomes == ["ok", "ok"]
    assert seats == [1, 2]
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone() == ("wal",)


def test_sqlite_without_immediate_the_second_writer_fails(sqlite_file):
    """The failure the settings prevent: a deferred transaction cannot upgrade its read."""
    sqlite_file(timeout=20, init_command="PRAGMA journal_mode=WAL;")
    outcomes, seats = _race(both_read_first=True)
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
