"""Starting an export and making its file (the job's work).

``export_start`` checks who asks and what (the kind, the unit a coordinator is limited to, the
unmasked ID numbers and their reason), records the ``Export`` and starts its job. The job's
handler ``export_job`` reads the rows through the kind's selector, writes the .xlsx or CSV,
keeps it as the job's file and, in one transaction, records the ``DataAccess`` audit row.
"""

from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jinseed.accounts.models import User
from jinseed.audit.models import DataAccess
from jinseed.audit.services import data_access_record
from jinseed.authz import can
from jinseed.errors import DomainError
from jinseed.jobs.models import Job
from jinseed.jobs.services import JobContext, job_start
from placements.models import Export, ExportFormat
from positions.models import HostUnit

from .registry import SHEET_LANGUAGE, ExportKind, export_kind_get
from .writers import csv_bytes, xlsx_bytes

JOB_KIND = "office.export"
REASON_MAX_LENGTH = 500


class ExportError(DomainError):
    pass


def export_scope(actor: User | None) -> tuple[bool, HostUnit | None]:
    """``(allowed, unit)``: programme staff export everything (``unit`` ``None``), a coordinator
    their own unit; anyone else nothing."""
    if can("office.export_all", actor):
        return True, None
    if can("office.export_own_unit", actor):
        return True, actor.coordinator.unit if actor is not None else None
    return False, None


def _clean_filters(kind: ExportKind, filters: dict[str, Any], unit: HostUnit | None) -> dict[str, Any]:
    """Only the filters the kind offers, without empty ones; a coordinator's unit forced in."""
    cleaned = {key: filters[key] for key in kind.filters if filters.get(key) not in (None, "")}
    if unit is not None:
        cleaned["unit"] = unit.pk
    return cleaned


@transaction.atomic
def export_start(
    *,
    actor: User | None,
    kind: str,
    file_format: str,
    filters: dict[str, Any] | None = None,
    unmasked: bool = False,
    reason: str = "",
) -> Export:
    """Record the export asked for and start the job that makes its file."""
    allowed, unit = export_scope(actor)
    if not allowed:
        raise ExportError(_("Your account may not export data."), code="forbidden")
    export_kind = export_kind_get(kind)
    if export_kind is None:
        raise ExportError(_("There is no such export."), code="unknown_kind")
    if file_format not in ExportFormat.values:
        raise ExportError(_("Choose Excel or CSV."), code="format")
    reason = (reason or "").strip()
    if unmasked:
        if not can("office.export_unmasked_id", actor):
            raise ExportError(
                _("Your account does not hold the permission to export unmasked ID numbers."), code="forbidden"
            )
        if not reason:
            raise ExportError(_("Give the reason for exporting unmasked ID numbers."), code="reason_required")
        if len(reason) > REASON_MAX_LENGTH:
            raise ExportError(
                _("The reason is at most %(n)s characters.") % {"n": REASON_MAX_LENGTH}, code="reason_too_long"
            )
    export = Export.objects.create(
        kind=kind,
        file_format=file_format,
        filters=_clean_filters(export_kind, filters or {}, unit),
        scope_unit=unit,
        masked=not unmasked,
        reason=reason if unmasked else "",
        created_by=actor,
    )
    export.job = job_start(kind=JOB_KIND, params={"export": export.pk, "masked": export.masked}, actor=actor)
    export.save(update_fields=["job"])
    return export


def export_file_rule(job: Job) -> str:
    """What someone other than its creator needs for an export's file: what starting it needed
    (an export whose masking is not on record counts as unmasked)."""
    return "office.export_all" if job.params.get("masked") is True else "office.export_unmasked_id"


def export_file_name(export: Export) -> str:
    stamp = timezone.localtime(export.created_at).strftime("%Y%m%d-%H%M%S")
    return f"{export.kind}-{stamp}.{export.file_format}"


def export_job(context: JobContext) -> dict[str, Any]:
    """The job's work: the rows, the file, the audit row. Progress advances per row."""
    export = Export.objects.select_related("scope_unit", "created_by").get(pk=context.params["export"])
    kind = export_kind_get(export.kind)
    if kind is None:
        raise ExportError(_("There is no such export."), code="unknown_kind")
    queryset = kind.rows(export.filters, export.scope_unit)
    context.set_total(queryset.count())
    written = 0
    student_of = kind.student
    subjects: set[int] | None = set() if student_of is not None else None

    def rows() -> Iterator[list[Any]]:
        """Row by row from the database to the writer: the rows are never all held as objects at once."""
        nonlocal written
        for obj in queryset.iterator(chunk_size=500):
            yield kind.row(obj, masked=export.masked)
            if subjects is not None and student_of is not None and (student := student_of(obj)) is not None:
                subjects.add(student)
            written += 1
            context.advance()

    with translation.override(SHEET_LANGUAGE):
        headers = kind.headers()
        if export.file_format == ExportFormat.XLSX:
            content = xlsx_bytes(headers, rows(), title=str(kind.label), widths=[c.width for c in kind.columns])
        else:
            content = csv_bytes(headers, rows())
    name = export_file_name(export)
    context.save_file(name, content)
    with transaction.atomic():
        Export.objects.filter(pk=export.pk).update(
            row_count=written, subject_user_ids=sorted(subjects) if subjects is not None else None
        )
        data_access_record(
            kind=DataAccess.Kind.EXPORT,
            actor=export.created_by,
            subject=kind.label,
            filters=export.filters,
            row_count=written,
            masked=export.masked,
            reason=export.reason,
        )
    return {"rows": written, "file_name": name, "masked": export.masked}
