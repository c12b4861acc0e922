"""Writes to the audit trail that are not status changes (those go through ``jinseed.statemachine``)."""

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise

from jinseed.accounts.models import User

from .models import DataAccess


def data_access_record(
    *,
    kind: str,
    actor: User | None,
    subject: str | Promise,
    filters: dict[str, Any] | None = None,
    row_count: int = 0,
    masked: bool = True,
    reason: str = "",
) -> DataAccess:
    """Record that personal data left the masked views; call it inside the export's transaction.

    A translatable ``subject`` (``format_lazy``) is stored in the site's language, whoever's
    request or task wrote it: the list is read by the district's staff."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(subject)
    return DataAccess.objects.create(
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        subject=subject[:120],
        filters=filters or {},
        row_count=row_count,
        masked=masked,
        reason=reason.strip(),
    )
