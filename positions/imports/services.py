"""Every write of the post import: keeping the uploaded file, starting the job, applying it."""

import hashlib
import logging
import secrets
from typing import Any, cast

from django.core import signing
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jinseed.accounts.models import User
from jinseed.jobs.models import Job
from jinseed.jobs.services import JobContext, job_start
from jinseed.storage import private_storage

from ..enums import CycleStatus, PostStatus
from ..models import Cycle, PostImport
from ..services import PostError, post_create, post_transition, post_update_content
from .preview import Preview, RowAction, preview_build
from .sheet import sheet_read

logger = logging.getLogger(__name__)

JOB_KIND = "positions.post_import"
PREVIEW_JOB_KIND = "positions.post_import_preview"
UPLOAD_DIR = "post-import-uploads"
TOKEN_SALT = "positions.post_import"  # noqa: S105 - a signing namespace, not a secret
TOKEN_MAX_AGE = 24 * 60 * 60
TARGET_STATUSES = (PostStatus.DRAFT, PostStatus.SUBMITTED, PostStatus.PUBLISHED)
STORAGE_DIR = "post-imports"


class PostImportError(PostError):
    pass


def _stored_name(digest: str) -> str:
    return f"{STORAGE_DIR}/{digest}.xlsx"


def post_import_stage(*, data: bytes, file_name: str, cycle: Cycle, target_status: str) -> tuple[Preview, str]:
    """Check an uploaded sheet and keep it privately for the confirm step.

    Returns the preview and a signed token naming the stored file, the cycle and the status;
    ``SheetError`` when the file is refused as a whole (then nothing at all is kept).
    """
    if cycle.status == CycleStatus.ARCHIVED:
        raise PostImportError(_("The cycle is archived: posts cannot be imported into it."), code="archived")
    sheet = sheet_read(data, file_name=file_name)
    preview = preview_build(sheet=sheet, cycle=cycle)
    digest = hashlib.sha256(data).hexdigest()
    storage = private_storage()
    if not storage.exists(_stored_name(digest)):
        storage.save(_stored_name(digest), ContentFile(data))
    token = signing.dumps(
        {
            "digest": digest,
            "name": file_name[:255],
            "cycle": cycle.pk,
            "status": target_status,
            "nonce": secrets.token_hex(8),  # each preview its own token, confirmed once
        },
        salt=TOKEN_SALT,
    )
    return preview, token


@transaction.atomic
def post_import_preview_start(
    *, data: bytes, file_name: str, cycle: Cycle, target_status: str, actor: User | None
) -> Job:
    """Keep an uploaded sheet aside and start the job that reads it (``post_import_preview_job``).

    Only the size is checked here: the sheet is parsed in the worker, never in the web
    process. The upload is kept under a name of its own until the job has read it.
    """
    from jinseed.jobs.services import job_start

    from .sheet import check_upload_size

    if cycle.status == CycleStatus.ARCHIVED:
        raise PostImportError(_("The cycle is archived: posts cannot be imported into it."), code="archived")
    check_upload_size(len(data))
    upload = private_storage().save(f"{UPLOAD_DIR}/{secrets.token_hex(16)}.xlsx", ContentFile(data))
    return job_start(
        kind=PREVIEW_JOB_KIND,
        params={"upload": upload, "name": file_name[:255], "cycle": cycle.pk, "status": target_status},
        actor=actor,
    )


def post_import_preview_job(context: JobContext) -> dict[str, Any]:
    """The worker reads the sheet (within its row and cell limits) and checks every row; the
    preview is kept as the job's result, with the token that confirms it. The upload is
    deleted whatever happens; a sheet refused as a whole fails the job with the reason."""
    params = context.params
    storage = private_storage()
    try:
        with storage.open(params["upload"], "rb") as handle:
            data = handle.read()
    finally:
        storage.delete(params["upload"])
    cycle = Cycle.objects.get(pk=params["cycle"])
    context.set_total(2)
    preview, token = post_import_stage(data=data, file_name=params["name"], cycle=cycle, target_status=params["status"])
    context.advance(2)
    return {"token": token, "preview": preview_summary(preview)}


def preview_summary(preview: Preview) -> dict[str, Any]:
    """What the preview page shows, as JSON: counts, the columns, the rows shown."""
    return {
        "columns": [column.key for column in preview.columns],
        "counts": preview.counts,
        "importable": preview.importable,
        "hidden_count": preview.hidden_count,
        "rows": [
            {
                "number": row.number,
                "action": row.action,
                "row_errors": row.row_errors,
                "shown": [[str(value), bool(changed), list(errors)] for value, changed, errors in row.shown],
            }
            for row in preview.shown_rows
        ],
    }


def post_import_token_read(token: str) -> dict[str, Any]:
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise PostImportError(_("This preview has expired: upload the sheet again."), code="bad_token") from None
    if payload.get("status") not in TARGET_STATUSES or not private_storage().exists(_stored_name(payload["digest"])):
        raise PostImportError(_("This preview has expired: upload the sheet again."), code="bad_token")
    return cast(dict[str, Any], payload)


@transaction.atomic
def post_import_start(*, token: str, actor: User | None) -> PostImport:
    """Staff confirmed a preview: record the import and start the job that applies it.

    A preview's token is used once: the import records its hash under a unique constraint, so
    a second confirmation — a double click, a reload, the same form sent twice at once — is
    refused with a message instead of making a second import."""
    payload = post_import_token_read(token)
    cycle = Cycle.objects.get(pk=payload["cycle"])
    post_import = PostImport(
        cycle=cycle,
        created_by=actor,
        file_name=payload["name"],
        file_digest=payload["digest"],
        target_status=payload["status"],
        confirm_token=hashlib.sha256(token.encode()).hexdigest(),
    )
    post_import.file.name = _stored_name(payload["digest"])
    try:
        with transaction.atomic():
            post_import.save()
    except IntegrityError:
        raise PostImportError(
            _("This preview has already been confirmed: the import is listed under “Post imports”."),
            code="already_confirmed",
        ) from None
    post_import.job = job_start(kind=JOB_KIND, params={"post_import_id": post_import.pk}, actor=actor)
    post_import.save(update_fields=["job"])
    return post_import


@transaction.atomic
def post_import_apply(*, post_import: PostImport, context: JobContext | None = None) -> PostImport:
    """Apply every good row of the stored sheet, all or nothing.

    The sheet is checked again here, under a lock on the cycle: between the preview and now
    another import may have run, or a unit been renamed, and two imports into one cycle must
    not both create the same post. Rows in error are skipped and counted.
    """
    locked = PostImport.objects.select_for_update().get(pk=post_import.pk)
    if locked.applied_at is not None:
        return locked  # applied already: running it again changes nothing
    cycle = Cycle.objects.select_for_update().get(pk=locked.cycle_id)
    with locked.file.open("rb") as handle:
        data = handle.read()
    preview = preview_build(sheet=sheet_read(data, file_name=locked.file_name), cycle=cycle)
    if context is not None:
        context.set_total(len(preview.rows))
    actor = locked.created_by
    reason = _("Imported from %(file)s") % {"file": locked.file_name}
    counts = dict.fromkeys(RowAction.values, 0)
    for row in preview.rows:
        if row.action == RowAction.CREATE and row.unit is not None:
            post = post_create(cycle=cycle, unit=row.unit, actor=actor, data=row.data)
            for status in _path_to(locked.target_status):
                post_transition(post=post, to_status=status, actor=actor, reason=reason)
        elif row.action == RowAction.UPDATE and row.post is not None:
            post_update_content(post=row.post, actor=actor, data={name: row.data[name] for name in row.changed})
        counts[row.action] += 1
        if context is not None:
            context.advance()
    locked.rows_total = len(preview.rows)
    locked.rows_created = counts[RowAction.CREATE]
    locked.rows_updated = counts[RowAction.UPDATE]
    locked.rows_unchanged = counts[RowAction.UNCHANGED]
    locked.rows_failed = counts[RowAction.ERROR]
    locked.applied_at = timezone.now()
    locked.save(
        update_fields=["rows_total", "rows_created", "rows_updated", "rows_unchanged", "rows_failed", "applied_at"]
    )
    logger.info(
        "Post import %s (%s) into cycle %s by %s: %s", locked.pk, locked.file_name, cycle.pk, actor or "system", counts
    )
    return locked


def _path_to(status: str) -> list[str]:
    """The moves a new draft makes to reach the status staff chose."""
    paths: dict[str, list[str]] = {
        PostStatus.DRAFT: [],
        PostStatus.SUBMITTED: [PostStatus.SUBMITTED],
        PostStatus.PUBLISHED: [PostStatus.SUBMITTED, PostStatus.PUBLISHED],
    }
    return paths[status]


def post_import_job(context: JobContext) -> dict[str, Any]:
    """The handler of ``JOB_KIND`` jobs (registered in ``positions.apps``)."""
    post_import = PostImport.objects.get(pk=context.params["post_import_id"])
    done = post_import_apply(post_import=post_import, context=context)
    return {
        "post_import_id": done.pk,
        "created": done.rows_created,
        "updated": done.rows_updated,
        "unchanged": done.rows_unchanged,
        "failed": done.rows_failed,
    }
