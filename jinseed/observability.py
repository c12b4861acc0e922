"""Error reports to Sentry (or a self-hosted, Sentry-compatible service), without personal data.

``SENTRY_DSN`` switches it on; nothing is sent without it. The portal holds personal
information under PIPL, so an error report carries the code path and the technical facts
only: ``send_default_pii`` is off (no user, no address, no cookie), request bodies, cookies
and query strings are dropped, and ``scrub_event`` masks mobile numbers, email addresses
and resident ID numbers in every string left (messages, exception values, extra data, local
variables, breadcrumbs).
"""

import re
from collections.abc import Mapping
from typing import Any

from jinseed.logmask import mask_mobile

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: An 18-character resident ID number (17 digits and a digit or X), not inside a longer number.
ID_NUMBER_RE = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?![\dXx])")
_DROPPED_REQUEST_KEYS = ("data", "cookies", "query_string", "env")
_SENSITIVE_HEADERS = {"cookie", "authorization", "x-csrftoken", "x-forwarded-for", "x-real-ip"}


def scrub_text(text: str) -> str:
    text = EMAIL_RE.sub("[email]", text)
    text = ID_NUMBER_RE.sub(r"\1********\2", text)
    return mask_mobile(text)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, Mapping):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def scrub_event(event: Any, hint: Any = None) -> Any:
    """Sentry's ``before_send``: the event without personal data (see the module docstring)."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in _DROPPED_REQUEST_KEYS:
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                name: value for name, value in headers.items() if name.lower() not in _SENSITIVE_HEADERS
            }
    event.pop("user", None)
    for key in ("message", "logentry", "extra", "exception", "breadcrumbs", "contexts", "tags", "request", "threads"):
        if key in event:
            event[key] = _scrub(event[key])
    return event


def sentry_setup(*, dsn: str, environment: str, release: str = "") -> bool:
    """Start the Sentry SDK when ``dsn`` is set; returns whether it did.

    Called from settings, so the web processes and the Celery worker (which imports the same
    settings) report alike."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        before_send=scrub_event,
        max_request_body_size="never",
    )
    return True
