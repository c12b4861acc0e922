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

A kind whose job keeps a file says who may have it (``jobs.rules``): the person who started
the job, and someone else only with ``file_rule`` — the rule (``jinseed.authz``) that starting
such a job needed, or a function of the job returning it (an unmasked export needs more than a
masked one); without one, nobody else, superusers included. ``file_link_only`` keeps the file
from the job's download altogether (a personal-data copy reaches its student through a signed
link); ``personal_data`` audits every download and makes the file expire after
``EXPORT_FILE_DAYS``.
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
    file_rule: str | Callable | None = None
    file_link_only: bool = False
    personal_data: bool = False

    def load_handler(self) -> Callable[..., Any]:
        return import_string(self.handler)

    def file_rule_for(self, job) -> str | None:
        """The rule someone other than the job's creator needs for its file, or ``None``."""
        return self.file_rule(job) if callable(self.file_rule) else self.file_rule


_KINDS: dict[str, JobKind] = {}


def job_kind_register(
    name: str,
    *,
    handler: str,
    label: str | Promise,
    file_rule: str | Callable | None = None,
    file_link_only: bool = False,
    personal_data: bool = False,
) -> JobKind:
    """Register (idempotently) the dotted path of the function that runs jobs of ``name``."""
    kind = JobKind(
        name=name,
        handler=handler,
        label=label,
        file_rule=file_rule,
        file_link_only=file_link_only,
        personal_data=personal_data,
    )
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


def job_kind_find(name: str) -> JobKind | None:
    return _KINDS.get(name)


def job_kind_label(name: str) -> str:
    kind = _KINDS.get(name)
    return str(kind.label) if kind else name
