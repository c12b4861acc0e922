"""Which work function runs a job of each kind.

``jinseed`` imports none of the domain apps, so a domain app tells the platform about its
kinds of job by name: in its ``AppConfig.ready()`` it registers a kind with the dotted path of
the function that does the work, which the worker imports only when it runs such a job::

    # positions/apps.py
    def ready(self):
        from jinseed.jobs.registry import job_kind_register

        job_kind_register("positions.post_import", handler="positions.imports.services.post_import_job",
                          label=_("Post import"))

The handler takes a ``services.JobContext`` and returns a JSON-serialisable ``dict`` (stored as
the job's ``result``) or ``None``. It reports progress with ``context.set_total(n)`` and
``context.advance()``; raising a ``DomainError`` fails the job with that message.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class JobKind:
    name: str
    handler: str
    label: str | Promise

    def load_handler(self) -> Callable[..., Any]:
        return import_string(self.handler)


_KINDS: dict[str, JobKind] = {}


def job_kind_register(name: str, *, handler: str, label: str | Promise) -> JobKind:
    """Register (idempotently) the dotted path of the function that runs jobs of ``name``."""
    kind = JobKind(name=name, handler=handler, label=label)
    existing = _KINDS.get(name)
    if existing is not None and existing.handler != handler:
        raise ImproperlyConfigured(f"Job kind {name!r} is already registered for {existing.handler}.")
    _KINDS[name] = kind
    return kind


def job_kind_get(name: str) -> JobKind:
    """The registered kind; ``LookupError`` when no app registered it."""
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"No job kind {name!r} is registered.") from None


def job_kind_label(name: str) -> str:
    kind = _KINDS.get(name)
    return str(kind.label) if kind else name
