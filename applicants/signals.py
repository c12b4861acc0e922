"""Extension points for the apps that build on applications.

``applicants`` imports none of the apps to its left (``placements`` keeps interviews and
offers about an application), yet an application can leave the running here, without them:
the student withdraws it. Those apps connect a receiver to the signal below to end what they
keep about the application. Our own flow never goes through a signal: a service that
``placements`` calls itself (a rejection, a placement elsewhere) ends its records directly.

Signals are sent inside the service's transaction, after the change is saved: a receiver
works in the same transaction, and one that raises rolls the whole change back, so the
application and its interviews never disagree.
"""

from django.dispatch import Signal

#: The student withdrew an application (``services.application_withdraw``). Sent with
#: ``application`` (the saved row, status WITHDRAWN), ``actor`` (who withdrew it) and
#: ``reason`` (the student's words, possibly empty); ``sender`` is ``Application``.
application_withdrawn = Signal()
