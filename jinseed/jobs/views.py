"""The status of a job as JSON (what ``static/js/jobs.js`` polls) and its result file."""

import os

from django.http import FileResponse, Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from jinseed.authz import can

from .enums import JobStatus
from .models import Job
from .registry import job_kind_label
from .selectors import job_get_for_user
from .services import job_file_open


def job_status_payload(job: Job) -> dict:
    finished = job.is_finished
    if job.status == JobStatus.RUNNING and job.progress_total:
        text = _("%(done)s of %(total)s done") % {"done": job.progress_done, "total": job.progress_total}
    else:
        text = job.get_status_display()
    return {
        "id": job.pk,
        "kind": job.kind,
        "label": job_kind_label(job.kind),
        "status": job.status,
        "status_label": job.get_status_display(),
        "text": text,
        "done": job.progress_done,
        "total": job.progress_total,
        "percent": job.percent,
        "finished": finished,
        "succeeded": job.status == JobStatus.SUCCEEDED,
        "interrupted": job.is_interrupted,
        "error": job.error,
        "result": job.result if finished else {},
        "has_file": bool(job.result_file),
        "file_expires_at": job.file_expires_at.isoformat() if job.file_expires_at and job.result_file else None,
        "file_deleted_at": job.file_deleted_at.isoformat() if job.file_deleted_at else None,
    }


@require_GET
@never_cache
def job_status(request, pk: int):
    """404 for anyone but the job's creator and programme staff, signed in or not."""
    job = job_get_for_user(user=request.user, pk=pk)
    if job is None:
        raise Http404
    return JsonResponse(job_status_payload(job))


@require_GET
@never_cache
def job_file(request, pk: int):
    """404 unless ``jobs.download_file`` allows it: the creator, or someone holding the rights
    the job's kind needed; never a student's data copy (that goes by its signed link)."""
    job = Job.objects.filter(pk=pk).first()
    if job is None or not job.result_file or not can("jobs.download_file", request.user, job):
        raise Http404
    response = FileResponse(
        job_file_open(job=job, actor=request.user),
        as_attachment=True,
        filename=os.path.basename(job.result_file.name or ""),
    )
    response["Cache-Control"] = "private, no-store"
    return response
