"""Celery beat that sends the schedule from one process per deployment, however many run.

A deployment may start beat on two machines by mistake, or on purpose so that one takes over
when the other's machine dies. Each ``LockedScheduler`` tries, at every tick, to take or keep a
lock in the broker's Redis (``SET NX PX`` with a token, renewed by its owner; redis-py's
``Lock``). Only the owner sends due tasks; the others sleep and try again. The lock lapses
``BEAT_LOCK_SECONDS`` after its owner's last renewal, so a beat killed outright is replaced
within that time, and a task is never sent by two beats for the same tick.

With the in-memory broker (development without Redis) there is nothing to share and no lock:
``manage.py run_periodic`` runs the schedule there (jinseed.periodic).
"""

import contextlib
import logging
import os
import socket

from celery.beat import PersistentScheduler
from django.conf import settings

logger = logging.getLogger(__name__)

LOCK_NAME = "jinseed:beat:lock"


class BeatLock:
    """The lock one beat holds; ``held()`` takes it when free and renews it when ours."""

    def __init__(self, redis_client, *, seconds: int, name: str = LOCK_NAME):
        self.lock = redis_client.lock(name, timeout=seconds, blocking=False)
        self.owned = False

    def held(self) -> bool:
        from redis.exceptions import LockError

        if self.owned:
            try:
                self.lock.reacquire()
                return True
            except LockError:  # it lapsed (this process stalled) and another beat may have it
                self.owned = False
                logger.warning("Beat lost its lock; trying to take it again")
        self.owned = bool(self.lock.acquire(blocking=False))
        if self.owned:
            logger.info("Beat holds the lock (%s): this process sends the schedule", _whoami())
        return self.owned

    def release(self) -> None:
        from redis.exceptions import LockError

        if self.owned:
            with contextlib.suppress(LockError):
                self.lock.release()
            self.owned = False


def _whoami() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _redis_for(broker_url: str):
    if not broker_url.startswith(("redis://", "rediss://", "unix://")):
        return None
    import redis

    return redis.Redis.from_url(broker_url, socket_timeout=5, socket_connect_timeout=5)


class LockedScheduler(PersistentScheduler):
    """``PersistentScheduler`` that sends nothing unless this process holds the beat lock."""

    #: how long a beat without the lock waits before trying to take it again
    standby_interval = 5.0

    def __init__(self, *args, **kwargs):
        self._beat_lock: BeatLock | None = None
        super().__init__(*args, **kwargs)
        client = _redis_for(self.app.conf.broker_write_url or self.app.conf.broker_url or "")
        if client is not None:
            self._beat_lock = BeatLock(client, seconds=settings.BEAT_LOCK_SECONDS)

    def tick(self, *args, **kwargs):
        if self._beat_lock is not None:
            try:
                held = self._beat_lock.held()
            except Exception:  # Redis unreachable: send nothing rather than risk a double send
                logger.warning("Beat could not reach Redis for its lock; waiting", exc_info=True)
                held = False
            if not held:
                return self.standby_interval
        return min(super().tick(*args, **kwargs), settings.BEAT_LOCK_SECONDS / 3)

    def close(self):
        if self._beat_lock is not None:
            self._beat_lock.release()
        super().close()
