"""Refuse a request whose body is larger than any form of the portal takes, before reading it.

Django writes an uploaded file to a temporary file as it arrives and only then lets a form
refuse it: a 300 MB body would be stored before the answer "too large". This middleware,
first in the chain, looks at the declared ``Content-Length`` alone and answers 413 at once
when it exceeds ``REQUEST_MAX_BYTES`` (the largest upload limit, the résumé's or the post
sheet's, plus a margin for the rest of the form). A body without a declared length is read
by Django only up to ``DATA_UPLOAD_MAX_MEMORY_SIZE`` for its form fields; nginx caps it in
front as well (``deploy/``).
"""

from django.conf import settings
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _


def request_max_bytes() -> int:
    return settings.REQUEST_MAX_BYTES


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = request.headers.get("content-length") or "0"
        try:
            length = int(declared)
        except ValueError:
            length = -1
        if length < 0 or length > request_max_bytes():
            with translation.override(settings.LANGUAGE_CODE):
                text = _(
                    "The request is too large (%(size)s). Files up to %(limit)s can be uploaded; choose a smaller file."
                ) % {
                    "size": filesizeformat(max(length, 0)),
                    "limit": filesizeformat(max(settings.RESUME_MAX_BYTES, settings.POST_IMPORT_MAX_BYTES)),
                }
            response = HttpResponse(text, status=413, content_type="text/plain; charset=utf-8")
            response["Connection"] = "close"  # the unread body is not kept waiting on the connection
            return response
        return self.get_response(request)
