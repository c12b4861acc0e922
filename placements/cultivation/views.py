"""Pages of cultivation: the student's "My placement", the placement page of mentors,
coordinators and staff, and the public certificate check and forum page.

Each view checks a rule of the portal's rule set (``jinseed.authz``), fetches through a scoped selector (another
unit's or student's id is a 404), calls one service and redirects. A form that does not
validate, or that the service refuses (``DomainError``), brings back the page it was typed on
with status 400, the bound form and its error; a plain button (tick, sign up, withdraw) has
nothing typed to lose, so its refusal is a message after the redirect.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jinseed.authz import can, require, rule_required
from jinseed.errors import DomainError
from jinseed.views import action_submit, form_submit
from placements.cultivation import selectors, services
from placements.cultivation.enums import AssessorRole, ChecklistParty, PlacementEventKind, TermSwitchStatus
from placements.cultivation.forms import (
    ActivityProposalForm,
    AlumniRecordForm,
    AssessmentForm,
    DecisionForm,
    FeedbackForm,
    GradeForm,
    OnboardingForm,
    RevokeForm,
    TermSwitchForm,
    VerifyForm,
)
from placements.selection.enums import PLACEMENT_TRANSITIONS, PlacementStatus
from positions.selectors import cycle_by_year


def _back_url(request, placement) -> str:
    if can("cultivation.request_term_switch", request.user, placement):
        return reverse("cultivation:my_placement")
    return reverse("cultivation:placement_detail", args=[placement.pk])


def _to_my_placement(placement):
    return reverse("cultivation:my_placement_detail", args=[placement.pk])


def _to_placement(placement_id: int):
    return reverse("cultivation:placement_detail", args=[placement_id])


# --- the student's side -------------------------------------------------------------------------


def _student_page_context(request, placement, **forms):
    return {
        "placement": placement,
        "checklist": selectors.onboarding_checklist(placement=placement),
        "group_members": (
            selectors.group_members(group=placement.group_membership.group)
            if hasattr(placement, "group_membership")
            else []
        ),
        "committee": selectors.cycle_committee(cycle=placement.post.cycle),
        "is_committee_member": services.is_committee_member(placement=placement),
        "activities": selectors.activities_for(placement=placement),
        "proposals": selectors.proposed_activities(placement=placement),
        "feedback_list": selectors.student_feedback(student=placement.student, cycle=placement.post.cycle),
        "certificate": next((c for c in placement.certificates.all() if not c.is_revoked), None),
        "can_download": services.certificate_can_be_issued(placement),
        "open_switch": next(
            (s for s in placement.term_switches.all() if s.status in selectors.OPEN_TERM_SWITCH_STATUSES), None
        ),
        "term_switch_form": forms.get("term_switch_form") or TermSwitchForm(),
        "feedback_form": forms.get("feedback_form") or FeedbackForm(),
        "proposal_form": forms.get("proposal_form") or ActivityProposalForm(),
        "ChecklistParty": ChecklistParty,
    }


@rule_required("accounts.use_portal")
def my_placement(request, pk: int | None = None, status: int = 200, **forms):
    """The student's placement (the newest, or ``pk``) and the list of all their cycles."""
    require("cultivation.use_my_placement", request.user)
    profile = getattr(request.user, "student_profile", None)
    placements = list(selectors.student_placements(student=profile)) if profile else []
    if pk is not None:
        placement = next((p for p in placements if p.pk == pk), None)
        if placement is None:
            raise Http404
    else:
        placement = placements[0] if placements else None
    context = {"placements": placements, "placement": placement}
    if placement is not None:
        context.update(_student_page_context(request, placement, **forms))
    return render(request, "placements/cultivation/my_placement.html", context, status=status)


def _own_placement(request, pk: int):
    require("cultivation.use_my_placement", request.user)
    placement = selectors.placement_visible_to(user=request.user, pk=pk)
    require("cultivation.request_term_switch", request.user, placement)
    return placement


@rule_required("accounts.use_portal")
@require_POST
def term_switch_request(request, pk: int):
    placement = _own_placement(request, pk)
    form = TermSwitchForm(request.POST)
    done = form_submit(
        request,
        form,
        lambda: services.term_switch_request(placement=placement, actor=request.user, **form.cleaned_data),
        success=_("Your request to switch term was sent to your unit."),
        then=_to_my_placement(placement),
    )
    return done or my_placement(request, pk=placement.pk, status=400, term_switch_form=form)


@rule_required("accounts.use_portal")
@require_POST
def term_switch_withdraw(request, pk: int):
    switch = selectors.term_switch_get(pk=pk)
    placement = _own_placement(request, switch.placement_id)
    return action_submit(
        request,
        lambda: services.term_switch_withdraw(request=switch, actor=request.user),
        success=_("Your request was withdrawn."),
        then=_to_my_placement(placement),
    )


@rule_required("accounts.use_portal")
@require_POST
def feedback_submit(request, pk: int):
    placement = _own_placement(request, pk)
    form = FeedbackForm(request.POST)
    done = form_submit(
        request,
        form,
        lambda: services.feedback_submit(placement=placement, actor=request.user, **form.cleaned_data),
        success=_("Thank you: your feedback goes to the forum."),
        then=_to_my_placement(placement),
    )
    return done or my_placement(request, pk=placement.pk, status=400, feedback_form=form)


@rule_required("accounts.use_portal")
@require_POST
def activity_propose(request, pk: int):
    placement = _own_placement(request, pk)
    form = ActivityProposalForm(request.POST)
    done = form_submit(
        request,
        form,
        lambda: services.activity_propose(placement=placement, actor=request.user, data=form.cleaned_data),
        success=_("Your proposal was sent to programme staff."),
        then=_to_my_placement(placement),
    )
    return done or my_placement(request, pk=placement.pk, status=400, proposal_form=form)


@rule_required("accounts.use_portal")
@require_POST
def activity_signup(request, pk: int, activity_pk: int):
    placement = _own_placement(request, pk)
    activity = selectors.cycle_activity_get(cycle_id=placement.post.cycle_id, pk=activity_pk)
    cancel = bool(request.POST.get("cancel"))
    service = services.activity_signup_cancel if cancel else services.activity_signup
    return action_submit(
        request,
        lambda: service(activity=activity, placement=placement, actor=request.user),
        success=_("You are no longer signed up.") if cancel else _("You are signed up."),
        then=_to_my_placement(placement),
    )


@rule_required("accounts.use_portal")
@require_POST
def checklist_tick(request, pk: int, item_pk: int):
    placement = selectors.placement_visible_to(user=request.user, pk=pk)
    item = selectors.cycle_onboarding_item_get(cycle_id=placement.post.cycle_id, pk=item_pk)
    return action_submit(
        request,
        lambda: services.onboarding_item_tick(
            placement=placement, item=item, actor=request.user, done=request.POST.get("done") != "0"
        ),
        success=None,
        then=_back_url(request, placement),
        forbidden_is_403=True,
    )


@rule_required("accounts.use_portal")
def certificate_download(request, pk: int):
    placement = selectors.placement_visible_to(user=request.user, pk=pk)
    require("cultivation.download_certificate", request.user, placement)
    try:
        certificate = services.certificate_issue(placement=placement, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_back_url(request, placement))
    certificate = selectors.certificate_for_pdf(pk=certificate.pk)
    response = HttpResponse(services.certificate_render(certificate=certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- mentors, coordinators and staff ------------------------------------------------------------


@rule_required("accounts.use_portal")
def placement_list(request):
    """A mentor's students, a coordinator's unit's placements, or (for staff) the admin."""
    user = request.user
    feedback = None
    if can("cultivation.list_unit_placements", user):
        placements = selectors.unit_placements(unit=user.coordinator.unit)
        feedback = selectors.unit_feedback(unit=user.coordinator.unit)[:50]
    elif can("cultivation.list_mentored", user):
        placements = selectors.mentor_placements(mentor=user.mentor)
    elif can("cultivation.manage_cycle_cultivation", user):
        return redirect("admin:placements_placement_changelist")
    else:
        raise PermissionDenied(_("This is not for your account."))
    return render(
        request, "placements/cultivation/placement_list.html", {"placements": placements, "feedback": feedback}
    )


def _detail_context(request, placement, **forms):
    user = request.user
    assessments = {a.assessor_role: a for a in placement.assessments.all()}
    my_role = (
        AssessorRole.MENTOR
        if can("cultivation.assess_as_mentor", user, placement)
        else AssessorRole.COORDINATOR
        if can("cultivation.assess_as_coordinator", user, placement)
        else None
    )
    onboarding = getattr(placement, "onboarding", None)
    final = getattr(placement, "final_grade", None)
    initial_onboarding = {
        "mentor": placement.mentor_id,
        "starts_on": placement.starts_on,
        "ends_on": placement.ends_on,
        "report_place": onboarding.report_place if onboarding else placement.post.place_of_work,
        "report_at": onboarding.report_at if onboarding else None,
        "notes": onboarding.notes if onboarding else "",
    }
    mine = assessments.get(my_role)
    return {
        "placement": placement,
        "assessments": [assessments.get(AssessorRole.MENTOR), assessments.get(AssessorRole.COORDINATOR)],
        "my_role": my_role,
        "can_manage": can("cultivation.manage_onboarding", user, placement),
        "can_grade": can("cultivation.confirm_grade", user, placement),
        "can_manage_certificate": can("cultivation.manage_certificate", user),
        "checklist": selectors.onboarding_checklist(placement=placement),
        "onboarding_form": forms.get("onboarding_form")
        or OnboardingForm(initial=initial_onboarding, unit=placement.post.unit),
        "assessment_form": forms.get("assessment_form")
        or AssessmentForm(initial={k: getattr(mine, k) for k in AssessmentForm.base_fields} if mine else None),
        "grade_form": forms.get("grade_form") or GradeForm(initial={"grade": final.grade} if final else None),
        "revoke_form": forms.get("revoke_form") or RevokeForm(),
        "revoke_for": forms.get("revoke_for"),
        "decision_form": forms.get("decision_form") or DecisionForm(),
        "decision_for": forms.get("decision_for"),
        "next_statuses": [(s, PlacementStatus(s).label) for s in sorted(PLACEMENT_TRANSITIONS[placement.status])],
        "events": placement.events.select_related("actor").order_by("created_at", "id"),
        "warning": services.excellent_cap_warning(cycle=placement.post.cycle) if final else None,
        "ChecklistParty": ChecklistParty,
        "PlacementEventKind": PlacementEventKind,
        "TermSwitchStatus": TermSwitchStatus,
    }


def _placement_page(request, placement, *, status: int = 200, **forms):
    """The placement page of mentors, coordinators and staff; ``forms`` are refused ones, as typed."""
    return render(
        request,
        "placements/cultivation/placement_detail.html",
        _detail_context(request, placement, **forms),
        status=status,
    )


@rule_required("accounts.use_portal")
def placement_detail(request, pk: int):
    placement = selectors.placement_visible_to(user=request.user, pk=pk)
    require("cultivation.view_placement", request.user, placement)
    if can("cultivation.request_term_switch", request.user, placement):
        return redirect("cultivation:my_placement_detail", placement.pk)
    return _placement_page(request, placement)


@rule_required("accounts.use_portal")
@require_POST
def onboarding_edit(request, pk: int):
    placement = selectors.placement_visible_to(user=request.user, pk=pk)
    require("cultivation.manage_onboarding", request.user, placement)
    form = OnboardingForm(request.POST, unit=placement.post.unit)
    done = form_submit(
        request,
        form,
        lambda: services.onboarding_set(placement=placement, actor=request.user, **form.cleaned_data),
        success=_("Onboarding saved."),
        then=_to_placement(placement.pk),
    )
    return done or _placement_page(request, placement, status=400, onboarding_form=form)


@rule_required("accounts.use_portal")
@require_POST
def placement_status(request, pk: int):
    placement = selectors.placement_visible_to(user=request.user, pk=pk)
    require("cultivation.manage_onboarding", request.user, placement)
    to_status = request.POST.get("to_status", "")
    if to_status not in PlacementStatus.values:
        raise Http404
    return action_submit(
        request,
        lambda: services.placement_transition(placement=placement, to_status=to_status, actor=request.user),
        success=_("The placement is now “%(status)s”.") % {"status": PlacementStatus(to_status).label},
        then=_to_placement(placement.pk),
    )


@rule_required("accounts.use_portal")
@require_POST
def assessment_submit(request, pk: int):
    placement = selectors.placement_visible_to(user=request.user, pk=pk)
    if can("cultivation.assess_as_mentor", request.user, placement):
        role = AssessorRole.MENTOR
    elif can("cultivation.assess_as_coordinator", request.user, placement):
        role = AssessorRole.COORDINATOR
    else:
        raise PermissionDenied(_("Only the student's mentor and the unit's coordinator assess this placement."))
    form = AssessmentForm(request.POST)
    done = form_submit(
        request,
        form,
        lambda: services.assessment_submit(placement=placement, actor=request.user, role=role, **form.cleaned_data),
        success=_("Assessment saved."),
        then=_to_placement(placement.pk),
    )
    return done or _placement_page(request, placement, status=400, assessment_form=form)


@rule_required("accounts.use_portal")
@require_POST
def grade_confirm(request, pk: int):
    placement = selectors.placement_visible_to(user=request.user, pk=pk)
    require("cultivation.confirm_grade", request.user, placement)
    form = GradeForm(request.POST)

    def confirmed(outcome) -> str:
        for warning in outcome[1]:
            messages.warning(request, warning)
        return _("The final grade is confirmed and locked.")

    done = form_submit(
        request,
        form,
        lambda: services.grade_confirm(placement=placement, actor=request.user, **form.cleaned_data),
        success=confirmed,
        then=_to_placement(placement.pk),
    )
    return done or _placement_page(request, placement, status=400, grade_form=form)


@rule_required("accounts.use_portal")
@require_POST
def term_switch_decide(request, pk: int):
    switch = selectors.term_switch_get(pk=pk)
    placement = selectors.placement_visible_to(user=request.user, pk=switch.placement_id)
    form = DecisionForm(request.POST)
    done = form_submit(
        request,
        form,
        lambda: services.term_switch_decide(
            request=switch,
            actor=request.user,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
        ),
        success=_("Decision recorded."),
        then=_to_placement(placement.pk),
        forbidden_is_403=True,
    )
    return done or _placement_page(request, placement, status=400, decision_form=form, decision_for=switch.pk)


@rule_required("accounts.use_portal")
@require_POST
def certificate_revoke(request, pk: int):
    require("cultivation.manage_certificate", request.user)
    certificate = selectors.certificate_get(pk=pk)
    form = RevokeForm(request.POST)
    done = form_submit(
        request,
        form,
        lambda: services.certificate_revoke(
            certificate=certificate, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        success=_("The certificate is revoked."),
        then=_to_placement(certificate.placement_id),
    )
    if done:
        return done
    placement = selectors.placement_visible_to(user=request.user, pk=certificate.placement_id)
    return _placement_page(request, placement, status=400, revoke_form=form, revoke_for=certificate.pk)


# --- public pages -------------------------------------------------------------------------------


def verify(request, code: str = ""):
    """Anyone can check a certificate: it shows the masked name, grade, cycle and unit only."""
    form = VerifyForm(request.GET or None, initial={"code": code})
    if not code and form.is_valid():
        typed = form.cleaned_data["code"].strip().upper()
        if "/" not in typed:
            return redirect("cultivation:verify", typed)
        code = typed  # no code has a slash (nor can a URL segment): refused below, not a 500
    certificate = selectors.certificate_by_code(code) if code else None
    context = {
        "form": form,
        "code": code,
        "certificate": certificate,
        "masked_name": selectors.mask_name(certificate.placement.student.legal_name) if certificate else "",
    }
    return render(
        request, "placements/cultivation/verify.html", context, status=404 if code and certificate is None else 200
    )


def forum(request, year: int):
    """The cycle's adopted suggestions and what was done about them (no names)."""
    cycle = cycle_by_year(year=year)
    return render(
        request,
        "placements/cultivation/forum.html",
        {"cycle": cycle, "adopted": selectors.adopted_feedback(cycle=cycle)},
    )


# --- alumni tracking: the student's answer --------------------------------------------------------


def _own_completed_placements(request):
    require("cultivation.use_my_placement", request.user)
    profile = getattr(request.user, "student_profile", None)
    if profile is None:
        return [], {}
    placements = [p for p in selectors.student_placements(student=profile) if p.status == PlacementStatus.COMPLETED]
    records = selectors.student_alumni_records(student=profile)
    return placements, records


@rule_required("accounts.use_portal")
def my_alumni(request):
    """The student's completed cycles, each with their alumni answer or the survey to answer."""
    placements, records = _own_completed_placements(request)
    rows = [(p, records.get(p.post.cycle_id)) for p in placements]
    return render(request, "placements/cultivation/my_alumni.html", {"rows": rows})


@rule_required("accounts.use_portal")
def my_alumni_edit(request, pk: int):
    """Answer the alumni survey for the cycle of completed placement ``pk``, or update the answer."""
    placements, records = _own_completed_placements(request)
    placement = next((p for p in placements if p.pk == pk), None)
    if placement is None:
        raise Http404
    require("cultivation.answer_alumni_survey", request.user, placement)
    record = records.get(placement.post.cycle_id)
    status = 200
    if request.method == "POST":
        form = AlumniRecordForm(request.POST, instance=record)
        if form.is_valid():
            try:
                services.alumni_record_answer(placement=placement, actor=request.user, data=form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Thank you: your answer is saved. You can update it at any time."))
                return redirect("cultivation:my_alumni")
        status = 400
    else:
        form = AlumniRecordForm(instance=record)
    context = {"placement": placement, "record": record, "form": form}
    return render(request, "placements/cultivation/my_alumni_edit.html", context, status=status)
