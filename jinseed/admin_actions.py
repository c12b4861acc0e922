"""The one way an admin action hands each selected row to a service."""

from collections.abc import Callable, Iterable

from django.contrib import messages
from django.utils.translation import gettext as _

from jinseed.errors import DomainError


def apply_to_each(modeladmin, request, rows: Iterable, perform: Callable, *, updated: Callable[[int], str]) -> int:
    """Call ``perform(row)`` for every selected row, each in the service's own transaction, so
    one refusal (a row in the wrong status) leaves the others done. Each refusal is shown with
    the row it concerns; ``updated(n)`` words the count of rows done. Returns that count."""
    done = 0
    for row in rows:
        try:
            perform(row)
        except DomainError as exc:
            modeladmin.message_user(
                request, _("%(label)s: %(text)s") % {"label": row, "text": exc.message}, messages.ERROR
            )
        else:
            done += 1
    if done:
        modeladmin.message_user(request, updated(done), messages.SUCCESS)
    return done
