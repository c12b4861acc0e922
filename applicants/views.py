"""The student's pages: profile and consent, applying, "My applications", and résumé download.

A form that does not validate, or that a service refuses, comes back on its page with status
400 and everything typed; a plain button (withdraw) answers a refusal with a message.
"""

import secrets

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jinseed.authz import require, rule_required
from jinseed.clientaddr import client_address
from jinseed.errors import DomainError
from jinseed.views import action_submit, form_submit
from positions.selectors import cycle_current, post_get_open, post_get_public

from .eligibility import SEVERITY_HELP, eligibility_check
from .forms import ApplicationForm, PreferenceForm, ProfileForm
from .models import Application
from .selectors import (
    application_active_for_student,
    application_get_for_resume,
    application_get_for_withdrawal,
    application_list_for_student,
    student_profile_of,
)
from .services import (
    PRIVACY_NOTICE_VERSION,
    ApplicationError,
    ProfileError,
    application_reorder,
    application_submit,
    application_withdraw,
    student_profile_save,
)

#: The offer panel is the placements app's: it renders when that template exists, and the
#: empty fallback keeps the page working until then (applicants must not import placements).
OFFER_TEMPLATES = ("placements/selection/_application_offer.html", "applicants/_no_offer.html")


def privacy_notice(request):
    return render(
        request,
        "applicants/privacy.html",
        {
            "version": PRIVACY_NOTICE_VERSION,
            "retention_years": settings.RETENTION_YEARS,
            "grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS,
        },
    )


@rule_required("accounts.use_student_pages")
def profile_detail(request):
    profile = student_profile_of(request.user)
    if profile is None:
        return redirect("applicants:profile_edit")
    cycle = cycle_current()
    eligibility = eligibility_check(profile=profile, cycle=cycle) if cycle else None
    return render(
        request,
        "applicants/profile_detail.html",
        {"profile": profile, "cycle": cycle, "eligibility": eligibility, "severity_help": SEVERITY_HELP},
    )


@rule_required("accounts.use_student_pages")
def profile_edit(request):
    profile = student_profile_of(request.user)
    form = ProfileForm(request.POST or None, instance=profile, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            student_profile_save(
                user=request.user,
                data=data,
                id_number=form.cleaned_data["id_number"],
                mobile=form.cleaned_data["mobile"],
                consent=form.cleaned_data["consent"],
                ip_address=client_address(request),
            )
        except ProfileError as exc:
            field = {
                "duplicate_id_number": "id_number",
                "id_number_required": "id_number",
                "duplicate_mobile": "mobile",
                "mobile_rate": "mobile",
                "consent_required": "consent",
            }.get(exc.code)
            form.add_error(field, forms_error(exc))
        else:
            messages.success(request, _("Your profile is saved."))
            if form.cleaned_data["mobile"] != request.user.mobile:
                messages.info(
                    request,
                    _("We sent a code to the new mobile number: it replaces the old one once you confirm it here."),
                )
                return redirect("accounts:verify")
            return redirect(request.GET.get("next") if _safe_next(request) else "applicants:profile")
    return render(
        request,
        "applicants/profile_form.html",
        {"form": form, "profile": profile},
        status=400 if form.is_bound else 200,
    )


def forms_error(exc: DomainError) -> ValidationError:
    return ValidationError(exc.message, code=exc.code)


def _safe_next(request) -> bool:
    # A path only: a bare word would be taken for a URL name by ``redirect``.
    nxt = request.GET.get("next") or ""
    return nxt.startswith("/") and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()})


@rule_required("accounts.use_student_pages")
def application_create(request, post_pk: int):
    """Apply to a post. Whatever is refused, the page comes back with what was typed.

    A submit goes straight to the service, which checks everything again under the
    student's lock (eligibility, earlier applications, the free preferences): the page's own
    reads are made only when the page is shown, so the submit of deadline day stays short.
    """
    post = post_get_open(pk=post_pk)
    if post is None:
        if post_get_public(pk=post_pk) is None:
            raise Http404
        messages.info(request, _("Registration is closed: applications are no longer accepted."))
        return redirect("post_detail", pk=post_pk)
    profile = student_profile_of(request.user)
    if profile is None or not profile.has_consent:
        messages.info(request, _("Please complete your profile before applying."))
        return redirect(f"{reverse('applicants:profile_edit')}?next={request.path}")
    cycle = post.cycle
    if request.method == "POST":
        form = ApplicationForm(request.POST, request.FILES, max_applications=cycle.max_applications)
        if form.is_valid():
            try:
                application_submit(
                    student=profile,
                    post=post,
                    preference_rank=form.cleaned_data["preference_rank"],
                    statement=form.cleaned_data["statement"],
                    resume=form.cleaned_data["resume"],
                    submit_token=form.cleaned_data["submit_token"],
                )
            except ApplicationError as exc:
                if exc.code == "already_applied":
                    messages.info(request, _("You have already applied to this post."))
                    return redirect("applicants:my_applications")
                field = {"rank_taken": "preference_rank", "rank_out_of_range": "preference_rank"}.get(exc.code)
                form.add_error(field, forms_error(exc))
            else:
                messages.success(request, _("Your application is submitted."))
                return redirect("applicants:my_applications")
        taken = _taken_ranks(profile, cycle)
        form.offer_ranks(max_applications=cycle.max_applications, taken_ranks=taken)
    else:
        # One read of the student's active applications of the cycle tells both whether
        # this post is among them and which preferences are taken.
        held = _held_posts_and_ranks(profile, cycle)
        if any(post_id == post.pk for post_id, _rank in held):
            messages.info(request, _("You have already applied to this post."))
            return redirect("applicants:my_applications")
        taken = {rank for _post_id, rank in held}
        form = ApplicationForm(
            initial={"submit_token": secrets.token_urlsafe(32)},
            max_applications=cycle.max_applications,
            taken_ranks=taken,
        )
    eligibility = eligibility_check(profile=profile, cycle=cycle, post=post)
    return render(
        request,
        "applicants/application_form.html",
        {
            "form": form,
            "post": post,
            "cycle": cycle,
            "eligibility": eligibility,
            "severity_help": SEVERITY_HELP,
            "open": cycle.registration_is_open(),
            "mobile_unverified": not request.user.mobile_is_verified,
            "limit_reached": len(taken) >= cycle.max_applications,
            # A refused submit always comes back with its form, so nothing typed is lost.
            "show_form": form.is_bound
            or (
                cycle.registration_is_open()
                and eligibility.is_eligible
                and len(taken) < cycle.max_applications
                and request.user.mobile_is_verified
            ),
        },
        status=400 if form.is_bound else 200,
    )


def _taken_ranks(profile, cycle) -> set[int]:
    """The preferences the student's active applications of ``cycle`` hold."""
    return {rank for _post_id, rank in _held_posts_and_ranks(profile, cycle)}


def _held_posts_and_ranks(profile, cycle) -> list[tuple[int, int]]:
    """The post and preference of each of the student's active applications of ``cycle``
    (unordered: the model's ordering would join the cycle for nothing)."""
    return list(
        application_active_for_student(student=profile, cycle=cycle)
        .order_by()
        .values_list("post_id", "preference_rank")
    )


def _my_applications_page(request, profile, cycle, *, reorder_form=None, status: int = 200):
    """The student's applications and the preference form; ``reorder_form`` is a refused one."""
    applications = list(application_list_for_student(student=profile))
    reorderable = [
        a for a in applications if cycle and a.cycle_id == cycle.pk and a.is_active and cycle.registration_is_open()
    ]
    if reorder_form is None:
        reorder_form = PreferenceForm(applications=reorderable, max_applications=cycle.max_applications if cycle else 0)
    return render(
        request,
        "applicants/my_applications.html",
        {
            "applications": applications,
            "reorderable": reorderable,
            "reorder_form": reorder_form,
            "reorder_rows": [
                (app, reorder_form[name])
                for app in reorder_form.applications
                if (name := PreferenceForm.field_name(app)) in reorder_form.fields
            ],
            "cycle": cycle,
            "offer_templates": OFFER_TEMPLATES,
        },
        status=status,
    )


@rule_required("accounts.use_student_pages")
def my_applications(request):
    profile = student_profile_of(request.user)
    if profile is None:
        return redirect("applicants:profile_edit")
    return _my_applications_page(request, profile, cycle_current())


@rule_required("accounts.use_portal")
@require_POST
def application_withdraw_view(request, pk: int):
    application = application_get_for_withdrawal(pk=pk)
    require("applicants.withdraw_application", request.user, application)
    return action_submit(
        request,
        lambda: application_withdraw(
            application=application, actor=request.user, reason=request.POST.get("reason", "")[:500]
        ),
        success=_("Your application to “%(post)s” is withdrawn.") % {"post": application.post.title},
        then=reverse("applicants:my_applications"),
    )


@rule_required("accounts.use_student_pages")
@require_POST
def application_reorder_view(request):
    profile = student_profile_of(request.user)
    cycle = cycle_current()
    if profile is None or cycle is None:
        raise Http404
    reorderable = [
        a
        for a in application_active_for_student(student=profile, cycle=cycle).select_related("post__unit")
        if cycle.registration_is_open()
    ]
    form = PreferenceForm(request.POST, applications=reorderable, max_applications=cycle.max_applications)
    done = form_submit(
        request,
        form,
        lambda: application_reorder(student=profile, cycle=cycle, ranks=form.ranks(), actor=request.user),
        success=_("Your preferences are saved."),
        then=reverse("applicants:my_applications"),
    )
    return done or _my_applications_page(request, profile, cycle, reorder_form=form, status=400)


@rule_required("accounts.use_portal")
def resume_download(request, pk: int):
    """Serve a résumé to its owner, the post's unit coordinator and programme staff only."""
    try:
        application = application_get_for_resume(pk=pk)
    except Application.DoesNotExist as exc:
        raise Http404 from exc
    require("applicants.download_resume", request.user, application)
    if not application.resume:
        raise Http404
    try:
        handle = application.resume.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=f"resume-{application.pk}.pdf", content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response
