"""The student's privacy page (``/my/privacy/``): consents, a copy of their data, deletion."""

import os

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applicants.privacy.services import id_number_consent_withdraw
from jinseed.accounts.consents import consent_list
from jinseed.authz import rule_required
from jinseed.errors import DomainError
from jinseed.jobs.services import job_file_open

from . import selectors
from .services.deletion import deletion_request_cancel, deletion_request_create, deletion_request_open
from .services.export import personal_data_export_start, personal_data_link_check


@rule_required("privacy.manage_own_data")
def overview(request):
    user = request.user
    return render(
        request,
        "placements/privacy/overview.html",
        {
            "consents": consent_list(user=user),
            "id_consent_active": selectors.id_number_consent_active(user=user),
            "export_job": selectors.personal_data_copy_latest(user=user),
            "deletion": deletion_request_open(user=user),
            "grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS,
            "link_days": settings.PERSONAL_DATA_LINK_DAYS,
        },
    )


@rule_required("privacy.manage_own_data")
@require_POST
def id_consent_withdraw(request):
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that your ID number is to be removed."))
        return redirect("privacy:overview")
    id_number_consent_withdraw(user=request.user)
    messages.success(
        request,
        _("Your consent is withdrawn and your ID number is removed. You cannot apply again unless you give it again."),
    )
    return redirect("privacy:overview")


@rule_required("privacy.manage_own_data")
@require_POST
def copy_request(request):
    personal_data_export_start(user=request.user)
    messages.success(request, _("We are preparing your copy. A link will come by email and in your inbox."))
    return redirect("privacy:overview")


@rule_required("privacy.manage_own_data")
def copy_download(request, token: str):
    """The mailed link: only the account it was made for, only until it expires."""
    job = personal_data_link_check(token=token, user=request.user)
    if job is None:
        raise Http404(_("This link has expired or is not for your account. Ask for a new copy."))
    response = FileResponse(
        job_file_open(job=job, actor=request.user),
        as_attachment=True,
        filename=os.path.basename(job.result_file.name or ""),
    )
    response["Cache-Control"] = "private, no-store"
    return response


@rule_required("privacy.manage_own_data")
@require_POST
def deletion_request(request):
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that your account is to be deleted."))
        return redirect("privacy:overview")
    try:
        deletion_request_create(user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your request is recorded. You may cancel it until the date shown."))
    return redirect("privacy:overview")


@rule_required("privacy.manage_own_data")
@require_POST
def deletion_cancel(request):
    open_request = deletion_request_open(user=request.user)
    if open_request is None:
        messages.info(request, _("There is no deletion request to cancel."))
    else:
        deletion_request_cancel(request=open_request, actor=request.user)
        messages.success(request, _("Your deletion request is cancelled: your account stays."))
    return redirect("privacy:overview")
