"""A database too busy to answer in time is a "try again" page (503), not a server error.

On SQLite every transaction waits up to the configured ``timeout`` for the write lock
(see ``DATABASES`` in settings); when even that runs out, SQLite raises ``OperationalError:
database is locked``. Nothing was written by the request that failed, so the user can
simply send it again, and the page says so.
"""

from django.db import OperationalError
from django.shortcuts import render

BUSY_MESSAGES = ("database is locked", "database table is locked")


class DatabaseBusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError) and str(exception) in BUSY_MESSAGES:
            response = render(request, "busy.html", status=503)
            response["Retry-After"] = "5"
            return response
        return None
