"""Past capacity, refuse early: a request that queued too long is answered 503 at once.

On deadline day more students submit than the web workers can serve. Requests then queue
(in nginx, the socket's backlog, gunicorn's threads), and without a limit every one of them
waits its turn, is served long after its student gave up, and makes the next one wait longer:
the portal ends up serving only requests nobody is waiting for. Instead, nginx stamps each
request with the time it handed it on (``X-Request-Start: t=<seconds since the epoch>``, its
``$msec``), and this middleware, first to touch the request after the security headers,
answers one that waited longer than ``REQUEST_QUEUE_DEADLINE_MS`` with a "busy, try again"
page (503 and ``Retry-After``) without a database query, so that the workers' time goes to
the requests that can still be answered in time.

The stamp is believed only from a trusted proxy (``TRUSTED_PROXIES``, as for the client's
address in ``jinseed.clientaddr``): anyone else could send it. The proxy's and this host's
clocks are trusted to agree within ``PLAUSIBLE_WAIT_SECONDS``: a stamp from the future (a
proxy clock ahead) counts as no wait, and one older than that says the clocks disagree, not
that the request waited (nginx gives up on a request long before), so it is not acted on —
a wrong clock must not refuse every request. Milliseconds and microseconds since the epoch
(other proxies' styles) are read too.
"""

import logging
import time
from functools import lru_cache

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from jinseed.clientaddr import is_trusted_proxy

logger = logging.getLogger(__name__)

#: Longest wait believed; beyond it the proxy's clock is wrong (nginx's own time-outs are shorter).
PLAUSIBLE_WAIT_SECONDS = 300.0


def queued_seconds(value: str, now: float) -> float | None:
    """How long ago (seconds) the proxy stamped ``value`` (``t=1733468400.123``), by ``now``;
    ``None`` when the stamp is unreadable or implausible."""
    value = value.strip()
    if value.startswith("t="):
        value = value[2:]
    try:
        stamp = float(value)
    except ValueError:
        return None
    if stamp != stamp or stamp <= 0:  # NaN or nonsense
        return None
    if stamp > 1e14:  # microseconds since the epoch
        stamp /= 1e6
    elif stamp > 1e11:  # milliseconds since the epoch
        stamp /= 1e3
    waited = now - stamp
    if waited > PLAUSIBLE_WAIT_SECONDS:
        return None
    return max(waited, 0.0)


@lru_cache(maxsize=4)
def _refusal_page(language: str) -> str:
    """The retry page in ``language``: the same for everyone, so made once per process."""
    with translation.override(language):
        return render_to_string("overloaded.html", {"retry_after": settings.REQUEST_QUEUE_RETRY_AFTER_SECONDS})


def _language(request) -> str:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class RequestQueueDeadlineMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        deadline_ms = settings.REQUEST_QUEUE_DEADLINE_MS
        stamp = request.headers.get("x-request-start")
        if deadline_ms and stamp and is_trusted_proxy(request.META.get("REMOTE_ADDR")):
            waited = queued_seconds(stamp, time.time())
            if waited is not None and waited * 1000 > deadline_ms:
                return self.refuse(request, waited)
        return self.get_response(request)

    def refuse(self, request, waited: float) -> HttpResponse:
        logger.warning("Refused %s %s: queued %.0f ms", request.method, request.path, waited * 1000)
        response = HttpResponse(_refusal_page(_language(request)), status=503)
        response["Retry-After"] = str(settings.REQUEST_QUEUE_RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
