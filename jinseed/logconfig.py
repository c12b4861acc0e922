"""One log format for the web processes, the Celery worker and gunicorn.

Every line reads ``<ISO 8601 time with offset> <LEVEL> <logger>[ request_id=…][ task_id=…]: <message>``,
for example::

    2026-12-06T19:03:05.034+08:00 WARNING django.request request_id=6f1c…: Not Found: /nope

The time is in the portal's time zone (Asia/Shanghai) with its offset, so a line reads the same
to the operator and to a log collector. ``request_id`` is set for the length of a web request by
``jinseed.requestid.RequestIdMiddleware`` (and sent back in the ``X-Request-ID`` header, so a
person reporting a problem can quote it); ``task_id`` for the length of a Celery task by the
signal handlers in ``jinseed/celery.py``. Both live in context variables, so threads and
coroutines never see each other's ids. Every handler also masks mobile numbers
(``jinseed.logmask``).

This module imports nothing from Django: gunicorn loads it before any Django setting exists.
Settings use ``logging_config()`` for ``LOGGING``; gunicorn uses ``gunicorn_logconfig_dict()``
for ``logconfig_dict`` (and ``GUNICORN_ACCESS_LOG_FORMAT`` for ``access_log_format``).
"""

import datetime as dt
import logging
import os
from contextvars import ContextVar
from zoneinfo import ZoneInfo

request_id_var: ContextVar[str | None] = ContextVar("jinseed_request_id", default=None)
task_id_var: ContextVar[str | None] = ContextVar("jinseed_task_id", default=None)

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s"
DEFAULT_TIME_ZONE = "Asia/Shanghai"

#: gunicorn's access lines, in the message part of the format above: the peer (the reverse
#: proxy), the client address the proxy forwarded, the request line, status, bytes, duration
#: in milliseconds and the request id the portal answered with.
GUNICORN_ACCESS_LOG_FORMAT = (
    '%(h)s forwarded_for="%({x-forwarded-for}i)s" "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'
)


class ContextFilter(logging.Filter):
    """Puts `` request_id=…`` and/or `` task_id=…`` (or nothing) in ``record.context``."""

    def filter(self, record: logging.LogRecord) -> bool:
        parts = []
        request_id = request_id_var.get()
        if request_id:
            parts.append(f" request_id={request_id}")
        task_id = task_id_var.get()
        if task_id:
            parts.append(f" task_id={task_id}")
        record.context = "".join(parts)
        return True


class IsoFormatter(logging.Formatter):
    """ISO 8601 times with milliseconds and the offset of ``time_zone``
    (``2026-12-06T19:03:05.034+08:00``)."""

    def __init__(self, fmt: str = LOG_FORMAT, time_zone: str = DEFAULT_TIME_ZONE, **kwargs):
        super().__init__(fmt, **kwargs)
        self.zone = ZoneInfo(time_zone)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return dt.datetime.fromtimestamp(record.created, self.zone).isoformat(timespec="milliseconds")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "context"):  # a handler configured without ContextFilter
            record.context = ""
        return super().format(record)


def _filters() -> dict:
    return {
        "mask_mobiles": {"()": "jinseed.logmask.MaskMobilesFilter"},
        "context": {"()": "jinseed.logconfig.ContextFilter"},
    }


def _formatters(time_zone: str) -> dict:
    return {"iso": {"()": "jinseed.logconfig.IsoFormatter", "time_zone": time_zone}}


def _console(stream: str = "ext://sys.stderr", filters: tuple[str, ...] = ("context", "mask_mobiles")) -> dict:
    return {"class": "logging.StreamHandler", "formatter": "iso", "filters": list(filters), "stream": stream}


def logging_config(*, level: str = "INFO", time_zone: str = DEFAULT_TIME_ZONE) -> dict:
    """``settings.LOGGING``: everything to standard error in the one format, mobiles masked."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": _filters(),
        "formatters": _formatters(time_zone),
        "handlers": {"console": _console()},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }


def gunicorn_logconfig_dict(*, level: str | None = None, time_zone: str = DEFAULT_TIME_ZONE) -> dict:
    """gunicorn's ``logconfig_dict``: its error log to standard error and its access log to
    standard output, in the same format as the portal's own lines, at ``LOG_LEVEL`` (from the
    environment, as the settings read it) unless ``level`` is given.

    gunicorn merges this over its own defaults key by key, so every key it defines
    (loggers, handlers, formatters, root) is given here in full. With a ``logconfig_dict``
    gunicorn writes its access log whatever ``accesslog`` says; the Django application loaded
    into each worker later configures the root logger only, leaving these two alone."""
    level = level or os.environ.get("LOG_LEVEL", "INFO")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": _filters(),
        "formatters": _formatters(time_zone),
        "handlers": {
            "console": _console(),
            # The access line names its request id itself (GUNICORN_ACCESS_LOG_FORMAT), from
            # the response header, whenever gunicorn happens to write it.
            "access_console": _console("ext://sys.stdout", filters=("mask_mobiles",)),
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "gunicorn.error": {
                "handlers": ["console"],
                "level": level,
                "propagate": False,
                "qualname": "gunicorn.error",
            },
            "gunicorn.access": {
                "handlers": ["access_console"],
                "level": "INFO",
                "propagate": False,
                "qualname": "gunicorn.access",
            },
        },
    }
