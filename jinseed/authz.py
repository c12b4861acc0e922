"""One way to authorize: the portal's rule set, ``can``, ``authorize`` and ``rule_required``.

Every app registers its object rules here (in its ``rules.py``, under a name prefixed with the
app: ``applicants.withdraw_application``, ``selection.manage_unit_object``,
``cultivation.view_placement``) and every check goes through this rule set:

* views use ``rule_required(name)`` (anonymous → login page, refused → 403) for the page and
  ``require(name, user, obj)`` for an object they have read;
* services call ``authorize(name, actor, obj, error=…)`` and raise their own domain error;
  ``actor=None`` is the system itself (a periodic task, a management command);
* templates use ``{% can "name" obj as allowed %}`` to show a button only when it would work.

It is a rule set of its own rather than Django permissions because ``user.has_perm`` is true
for a superuser whatever the object: the demo staff account would then act as any student.
The role predicates are defined once, here; each checks that the account is active.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

import rules
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jinseed.errors import DomainError

portal_rules = rules.RuleSet()


@rules.predicate
def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


@rules.predicate
def is_programme_staff(user) -> bool:
    return bool(is_signed_in(user) and user.is_programme_staff)


@rules.predicate
def is_student(user) -> bool:
    return bool(is_signed_in(user) and user.is_student)


def add_rule(name: str, predicate) -> None:
    """Register ``predicate`` under ``name`` (``<app>.<verb>_<object>``); names are unique."""
    portal_rules.add_rule(name, predicate)


def can(name: str, user, obj=None) -> bool:
    return portal_rules.test_rule(name, user, obj)


def require(name: str, user, obj=None) -> None:
    """In a view: refuse with a 403 unless ``user`` passes ``name`` on ``obj``."""
    if not can(name, user, obj):
        raise PermissionDenied(_("This is not for your account."))


def authorize(name: str, actor: Any, obj: Any = None, *, error: type[DomainError], message: str | None = None) -> None:
    """In a service: raise ``error`` (code ``forbidden``) unless ``actor`` passes ``name``.

    ``actor=None`` is the system (beat tasks, commands), which acts on everyone's behalf.
    """
    if actor is None or can(name, actor, obj):
        return
    raise error(message or _("You may not do this."), code="forbidden")


def rule_required(name: str, *, before: Callable | None = None, after: Callable | None = None):
    """View decorator: anonymous users go to the login page; a signed-in user without the rule
    gets a 403. ``before(request)`` may load what the rule reads (one query for the
    coordinator's unit), ``after(request)`` may attach what the view needs."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if before is not None:
                before(request)
            if not can(name, request.user):
                raise PermissionDenied(_("This page is not for your account."))
            if after is not None:
                after(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


add_rule("accounts.use_portal", is_signed_in)
add_rule("accounts.use_student_pages", is_student)
add_rule("accounts.use_programme_office", is_programme_staff)
