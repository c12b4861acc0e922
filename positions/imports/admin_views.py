"""The admin pages of the post import, wired into ``PostAdmin.get_urls``.

Every view asks ``rules.can("positions.import_posts")``: programme staff with the admin's add and
change permissions on posts. Others get 403 (and an account that is not staff at all is sent
to the admin login by ``admin_view`` before it gets here).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from jinseed.authz import can
from jinseed.errors import DomainError
from jinseed.jobs.enums import JobStatus
from jinseed.jobs.models import Job

from ..models import Cycle, PostImport
from .columns import COLUMNS_BY_KEY
from .forms import PostImportUploadForm
from .preview import RowAction
from .services import PREVIEW_JOB_KIND, post_import_preview_start, post_import_start
from .sheet import template_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _check(request) -> None:
    if not can("positions.import_posts", request.user):
        raise PermissionDenied


def _context(model_admin, request, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "import_url": reverse("admin:positions_post_import"),
        "template_url": reverse("admin:positions_post_import_template"),
        **extra,
    }


def import_upload(model_admin, request):
    """GET: the upload form. POST: the preview of the uploaded sheet, with the confirm button."""
    _check(request)
    form = PostImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = post_import_preview_start(
                data=upload.read(),
                file_name=upload.name,
                cycle=form.cleaned_data["cycle"],
                target_status=form.cleaned_data["target_status"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error("file", str(exc))
        else:
            return HttpResponseRedirect(reverse("admin:positions_post_import_preview", args=[job.pk]))
    return _upload_page(model_admin, request, form)


def _upload_page(model_admin, request, form):
    recent = PostImport.objects.select_related("cycle", "created_by", "job")[:10]
    context = _context(model_admin, request, title=_("Import posts from Excel"), form=form, recent=recent)
    return render(request, "admin/positions/post/import_form.html", context, status=400 if form.errors else 200)


def import_preview(model_admin, request, pk: int):
    """The sheet as the worker read it: a progress bar while it reads, then the preview with the
    confirm button; a sheet refused as a whole comes back to the upload form with the reason."""
    _check(request)
    job = get_object_or_404(Job, pk=pk, kind=PREVIEW_JOB_KIND, created_by=request.user)
    params = job.params
    cycle = Cycle.objects.filter(pk=params.get("cycle")).first()
    if job.status == JobStatus.FAILED:
        form = PostImportUploadForm(initial={"cycle": cycle, "target_status": params.get("status")})
        form.cleaned_data = {}
        form.add_error("file", job.error)  # the upload form again, the reason on the file, 400
        return _upload_page(model_admin, request, form)
    status_labels = dict(PostImportUploadForm.base_fields["target_status"].choices)  # type: ignore[attr-defined]
    context = _context(
        model_admin,
        request,
        title=_("Check the sheet before importing"),
        job=job,
        file_name=params.get("name", ""),
        cycle=cycle,
        target_status_label=status_labels.get(params.get("status"), ""),
        preview_url=reverse("admin:positions_post_import_preview", args=[job.pk]),
    )
    if job.status == JobStatus.SUCCEEDED:
        context.update(preview=PreviewPage(job.result["preview"]), token=job.result["token"])
    return render(request, "admin/positions/post/import_preview.html", context)


class PreviewPage:
    """The preview kept by the job, with the attributes the preview template reads."""

    def __init__(self, summary: dict):
        self.columns = [COLUMNS_BY_KEY[key] for key in summary["columns"] if key in COLUMNS_BY_KEY]
        self.counts = summary["counts"]
        self.importable = summary["importable"]
        self.hidden_count = summary["hidden_count"]
        self.shown_rows = [PreviewPageRow(row) for row in summary["rows"]]


class PreviewPageRow:
    def __init__(self, row: dict):
        self.number = row["number"]
        self.action = row["action"]
        self.action_label = RowAction(row["action"]).label
        self.row_errors = row["row_errors"]
        self.shown = [tuple(cell) for cell in row["shown"]]


def import_template(model_admin, request):
    _check(request)
    response = HttpResponse(template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_("post-import-template") + ".xlsx"
    )
    return response


def import_confirm(model_admin, request):
    _check(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        post_import = post_import_start(token=request.POST.get("token", ""), actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("admin:positions_post_import"))
    return HttpResponseRedirect(reverse("admin:positions_post_import_detail", args=[post_import.pk]))


def import_detail(model_admin, request, pk: int):
    """While the job runs, its progress bar; then what the import did."""
    _check(request)
    post_import = get_object_or_404(PostImport.objects.select_related("cycle", "created_by", "job"), pk=pk)
    context = _context(
        model_admin,
        request,
        title=_("Post import: %(file)s") % {"file": post_import.file_name},
        post_import=post_import,
        job=post_import.job,
        posts_url=f"{reverse('admin:positions_post_changelist')}?cycle__id__exact={post_import.cycle_id}",
    )
    return render(request, "admin/positions/post/import_detail.html", context)


def import_file(model_admin, request, pk: int):
    """The sheet as it was uploaded, for the record."""
    _check(request)
    post_import = get_object_or_404(PostImport, pk=pk)
    return FileResponse(post_import.file.open("rb"), as_attachment=True, filename=post_import.file_name)
