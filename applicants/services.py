"""Every write to student profiles and applications."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jinseed.errors import DomainError

from .enums import APPLICATION_TRANSITIONS, HELD_DECISIONS, ApplicationStatus
from .models import Application, ApplicationEvent


class ApplicationError(DomainError):
    pass


@transaction.atomic
def application_transition(
    *, application: Application, to_status: str, actor=None, reason: str = "", at=None
) -> Application:
    """The one place an application changes status.

    Locks the row, refuses a move the transition table does not allow, saves, and writes the
    audit event. A decision in ``HELD_DECISIONS`` taken before the cycle's announcement time
    stays invisible to the student (``published_status`` keeps its value) until
    ``application_publish_held`` runs at that time.
    """
    at = at or timezone.now()
    locked = Application.objects.select_for_update().select_related("cycle").get(pk=application.pk)
    from_status = locked.status
    if to_status not in APPLICATION_TRANSITIONS[from_status]:
        raise ApplicationError(
            _("This application is “%(from)s” and cannot become “%(to)s”.")
            % {"from": ApplicationStatus(from_status).label, "to": ApplicationStatus(to_status).label},
            code="illegal_transition",
        )
    held = to_status in HELD_DECISIONS and locked.cycle.results_are_held(at)
    locked.status = to_status
    fields = ["status", "updated_at"]
    if not held:
        locked.published_status = to_status
        fields.append("published_status")
    locked.save(update_fields=fields)
    ApplicationEvent.objects.create(
        application=locked,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        reason=reason,
        created_at=at,
        visible_at=locked.cycle.announcement_at if held else at,
    )
    application.status, application.published_status = locked.status, locked.published_status
    return locked


@transaction.atomic
def application_publish_held(*, cycle, at=None) -> int:
    """Make every held decision of ``cycle`` visible; returns how many applications changed.

    Runs at the announcement time (a beat task) and is safe to run again.
    """
    at = at or timezone.now()
    if cycle.results_are_held(at):
        return 0
    changed = 0
    for app in Application.objects.select_for_update().filter(cycle=cycle).exclude(published_status=F("status")):
        app.published_status = app.status
        app.save(update_fields=["published_status", "updated_at"])
        changed += 1
    return changed

