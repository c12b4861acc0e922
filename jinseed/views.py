"""The one way a view hands a form or a button to a service.

Every page that writes does the same three things: validate, call one service, and either go
on (a message and a redirect) or come back with what the user typed and the refusal (400).
``form_submit`` does that for a form, ``action_submit`` for a plain button; a service's
``DomainError`` becomes a form error or an error message, never a 500.
"""

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect

from jinseed.errors import DomainError

T = TypeVar("T")
Message = str | Callable[[Any], str] | None
Target = str | Callable[[Any], str]


def _resolve(value, result):
    return value(result) if callable(value) else value


def form_status(form) -> int:
    """400 when a submitted form comes back with errors, else 200 (the first visit)."""
    return 400 if form is not None and form.is_bound and form.errors else 200


def form_submit(
    request,
    form,
    perform: Callable[[], T],
    *,
    success: Message,
    then: Target,
    forbidden_is_403: bool = False,
    error_fields: Mapping[str, str] | None = None,
) -> HttpResponse | None:
    """Validate ``form`` and call ``perform()``; a redirect to ``then`` on success, else ``None``.

    ``None`` means: render the page again with ``form`` (its errors now include the service's
    refusal, shown above the fields) and ``form_status(form)``. ``success`` and ``then`` may be
    callables of the service's result (the new object's page, a message with a count). With
    ``forbidden_is_403`` a refusal coded ``forbidden`` is a 403 rather than a form error;
    ``error_fields`` puts a refusal of a given code on that field instead of above the form.
    """
    if not form.is_bound or not form.is_valid():
        return None
    try:
        result = perform()
    except DomainError as exc:
        if forbidden_is_403 and exc.code == "forbidden":
            raise PermissionDenied(exc.message) from exc
        field = (error_fields or {}).get(exc.code)
        form.add_error(field, ValidationError(exc.message, code=exc.code))
        return None
    text = _resolve(success, result)
    if text:
        messages.success(request, text)
    return redirect(_resolve(then, result))


def action_submit(
    request, perform: Callable[[], T], *, success: Message, then: Target, forbidden_is_403: bool = False
) -> HttpResponse:
    """Call ``perform()`` for a button (no form to come back to) and redirect to ``then``.

    A refusal becomes an error message on the next page; with ``forbidden_is_403`` a refusal
    coded ``forbidden`` is a 403 instead (the user should never have seen the button).
    """
    try:
        result = perform()
    except DomainError as exc:
        if forbidden_is_403 and exc.code == "forbidden":
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
        return redirect(_resolve(then, None))
    text = _resolve(success, result)
    if text:
        messages.success(request, text)
    return redirect(_resolve(then, result))
