"""A request id on every web request: in each log line it causes and in the response.

The id comes from the reverse proxy when the peer is a trusted proxy and its ``X-Request-ID``
looks like an id (nginx's ``$request_id``, for one), so the proxy's access log and the
portal's lines share it; otherwise a new one is made. It is kept in
``jinseed.logconfig.request_id_var`` while the request is handled, tagged on the error
report when Sentry is on, and sent back in the ``X-Request-ID`` header, so a person
reporting a problem can quote it.

It stays set until Django's ``request_finished`` signal, not only while the middleware runs:
Django logs a 4xx/5xx response ("Not Found: /x") after the middleware chain has returned,
and that line needs the id too.
"""

import re
import uuid

import sentry_sdk
from django.core.signals import request_finished

from jinseed.clientaddr import is_trusted_proxy
from jinseed.logconfig import request_id_var

HEADER = "X-Request-ID"
_SANE = re.compile(r"^[A-Za-z0-9._:=+/-]{8,128}$")


def request_id_for(request) -> str:
    incoming = request.headers.get("x-request-id", "")
    if incoming and _SANE.match(incoming) and is_trusted_proxy(request.META.get("REMOTE_ADDR")):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in ``MIDDLEWARE``, so that every line logged while the request is handled, a
    redirect's or an error's included, carries the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_for(request)
        request.request_id = request_id
        request_id_var.set(request_id)
        sentry_sdk.get_isolation_scope().set_tag("request_id", request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def _request_id_cleared(**kwargs):
    request_id_var.set(None)


request_finished.connect(_request_id_cleared, dispatch_uid="jinseed.requestid.cleared")
