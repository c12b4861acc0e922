"""The unit coordinator's workspace, the student's side of the selection and the staff overview.

Views check the rule, fetch through a selector scoped to the user's unit (so another unit's
id is a 404), call one service and render. A form that does not validate, or a service that
refuses it (``DomainError``), brings back the page the form lives on with status 400: the bound
form shows what was typed and the error beside it. A plain button (an offer, an answer) has
nothing to lose, so its refusal is a message after the redirect.

Each page that carries forms has one context builder (``_application_page``, ``_interview_page``,
…) used by its GET and by every failing POST, so both render the same template from the same
queries.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from applicants.eligibility import Eligibility
from applicants.enums import ApplicationStatus
from applicants.models import Application
from jinseed.authz import require, rule_required
from jinseed.pagination import page_with_count
from jinseed.views import action_submit, form_status, form_submit
from placements.models import Offer
from placements.selection import selectors, services
from placements.selection.enums import OfferStatus
from placements.selection.forms import (
    AssignForm,
    BulkDecisionForm,
    CancelForm,
    DecisionForm,
    RankingForm,
    RecordForm,
    RescheduleForm,
    ReviewForm,
    SlotForm,
)
from positions.enums import CycleStatus
from positions.models import Cycle
from positions.selectors import coordinator_with_unit, cycle_current, cycles_newest_first
from positions.workspace_forms import PostProposalForm

# A page of the coordinator's applicant list: the bulk decision acts on what is shown.
APPLICANTS_PER_PAGE = 50


def _load_coordinator(request) -> None:
    """One query for the coordinator and their unit, cached where the rule looks."""
    coordinator = coordinator_with_unit(user=request.user)
    if coordinator is not None:
        request.user.coordinator = coordinator


def _attach_unit(request) -> None:
    request.unit = request.user.coordinator.unit


coordinator_required = rule_required("selection.use_unit_workspace", before=_load_coordinator, after=_attach_unit)
student_required = rule_required("selection.use_student_selection")
staff_required = rule_required("selection.view_selection_overview")


def _next_or(request, default: str) -> str:
    """The ``next`` field of the form when it is a path into this site, else ``default`` (a
    bare word would be taken for a URL name)."""
    target = request.POST.get("next") or request.GET.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


# --- workspace and posts ----------------------------------------------------------------------------


@coordinator_required
def workspace(request):
    posts = list(selectors.unit_posts(unit=request.unit))
    slots = list(selectors.unit_slots(unit=request.unit, upcoming_only=True)[:10])
    return render(
        request,
        "placements/selection/workspace.html",
        {"unit": request.unit, "posts": posts, "slots": slots, "editable": services.EDITABLE_POST_STATUSES},
    )


@coordinator_required
def post_create(request):
    cycle = cycle_current()
    form = PostProposalForm(request.POST or None, initial={"cycle": cycle.pk if cycle else None})
    done = form_submit(
        request,
        form,
        lambda: services.post_propose(
            unit=request.unit, cycle=form.cleaned_data["cycle"], actor=request.user, data=form.service_data()
        ),
        success=_("The post is saved as a draft. Submit it when it is ready."),
        then=lambda post: reverse("placements:post_edit", args=[post.pk]),
    )
    return done or render(
        request, "placements/selection/post_form.html", {"form": form, "post": None}, status=form_status(form)
    )


@coordinator_required
def post_edit(request, pk: int):
    post = selectors.unit_post_get(unit=request.unit, pk=pk)
    if post.status not in services.EDITABLE_POST_STATUSES:
        messages.info(request, _("Only a draft or a returned post can be changed."))
        return redirect("placements:workspace")
    form = PostProposalForm(request.POST or None, instance=post)
    done = form_submit(
        request,
        form,
        lambda: services.post_update_draft(post=post, actor=request.user, data=form.cleaned_data),
        success=_("Changes saved."),
        then=reverse("placements:post_edit", args=[post.pk]),
    )
    return done or render(
        request, "placements/selection/post_form.html", {"form": form, "post": post}, status=form_status(form)
    )


@coordinator_required
@require_POST
def post_submit(request, pk: int):
    post = selectors.unit_post_get(unit=request.unit, pk=pk)
    return action_submit(
        request,
        lambda: services.post_submit_for_approval(post=post, actor=request.user),
        success=_("The post has been sent to the programme staff for approval."),
        then=reverse("placements:workspace"),
    )


# --- applicants ---------------------------------------------------------------------------------------


def _applicants_page(request, post, *, bulk_form=None, status: int = 200):
    """The post's applicants with the filter and the bulk decision; ``bulk_form`` is a refused one."""
    applicants = selectors.post_applicants_filtered(post=post, params=request.GET)
    page = Paginator(applicants.qs, APPLICANTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    counts = selectors.post_status_counts(post=post)
    if bulk_form is None:
        bulk_form = BulkDecisionForm(queryset=Application.objects.none())
    return render(
        request,
        "placements/selection/post_applicants.html",
        {
            "post": post,
            "applications": page.object_list,
            "page": page,
            "query": query.urlencode(),
            "counts": [(value, label, counts[value]) for value, label in ApplicationStatus.choices],
            "filter_form": applicants.form,
            "bulk_form": bulk_form,
            "ticked": {str(pk) for pk in bulk_form["applications"].value() or []},
        },
        status=status,
    )


@coordinator_required
def post_applicants(request, pk: int):
    return _applicants_page(request, selectors.unit_post_get(unit=request.unit, pk=pk))


@coordinator_required
@require_POST
def post_applicants_bulk(request, pk: int):
    post = selectors.unit_post_get(unit=request.unit, pk=pk)
    form = BulkDecisionForm(request.POST, queryset=selectors.post_bulk_choices(post=post))

    def decided(outcome) -> str:
        done, errors = outcome
        for error in errors:
            messages.warning(request, error)
        return ngettext("%(n)s applicant updated.", "%(n)s applicants updated.", done) % {"n": done}

    done = form_submit(
        request,
        form,
        lambda: services.applications_bulk_decide(
            applications=form.cleaned_data["applications"],
            decision=form.cleaned_data["decision"],
            actor=request.user,
            reason_code=form.cleaned_data["reason_code"],
            reason_text=form.cleaned_data["reason_text"],
        ),
        success=decided,
        then=reverse("placements:post_applicants", args=[post.pk]),
    )
    return done or _applicants_page(request, post, bulk_form=form, status=400)


def _reviews_context(application, user):
    reviews = list(application.reviews.all())
    averages = [r.average for r in reviews if r.average is not None]
    mine = next((r for r in reviews if r.reviewer_id == user.pk), None)
    return reviews, (sum(averages) / len(averages) if averages else None), mine


def _application_page(request, application, *, review_form=None, decision_form=None, status: int = 200):
    """The applicant page; a bound form passed in is shown as typed, with its errors."""
    reviews, average, mine = _reviews_context(application, request.user)
    if review_form is None:
        initial = {"notes": mine.notes} if mine else {}
        if mine:
            initial.update({f"criterion_{s.criterion_id}": s.score for s in mine.scores.all()})
        review_form = ReviewForm(initial=initial, criteria=selectors.cycle_criteria(cycle=application.cycle))
    return render(
        request,
        "placements/selection/application_detail.html",
        {
            "application": application,
            "student": application.student,
            "criteria": review_form.criteria,
            "reviews": reviews,
            "average": average,
            "review_form": review_form,
            "decision_form": decision_form or DecisionForm(),
            "eligibility": Eligibility.from_list(application.eligibility).results,
            "can_offer": application.status == ApplicationStatus.INTERVIEWED
            and services.post_free_places(post=application.post) > 0,
        },
        status=status,
    )


@coordinator_required
def application_detail(request, pk: int):
    return _application_page(request, selectors.unit_application_get(unit=request.unit, pk=pk))


@coordinator_required
@require_POST
def application_review(request, pk: int):
    application = selectors.unit_application_get(unit=request.unit, pk=pk)
    form = ReviewForm(request.POST, criteria=selectors.cycle_criteria(cycle=application.cycle))
    done = form_submit(
        request,
        form,
        lambda: services.review_save(
            application=application, reviewer=request.user, scores=form.scores(), notes=form.cleaned_data["notes"]
        ),
        success=_("Your review is saved."),
        then=reverse("placements:application_detail", args=[application.pk]),
    )
    return done or _application_page(request, application, review_form=form, status=400)


@coordinator_required
@require_POST
def application_decide(request, pk: int):
    application = selectors.unit_application_get(unit=request.unit, pk=pk)
    form = DecisionForm(request.POST)

    def decide() -> str:
        if form.cleaned_data["decision"] == "shortlist":
            services.application_shortlist(application=application, actor=request.user)
            return _("Shortlisted for interview.")
        services.application_reject(
            application=application,
            actor=request.user,
            reason_code=form.cleaned_data["reason_code"],
            reason_text=form.cleaned_data["reason_text"],
        )
        return _("Not shortlisted; the student is told the reason.")

    done = form_submit(
        request,
        form,
        decide,
        success=lambda text: text,
        then=reverse("placements:application_detail", args=[application.pk]),
    )
    return done or _application_page(request, application, decision_form=form, status=400)


# --- ranking and offers ---------------------------------------------------------------------------


def _ranking_page(request, post, *, form=None, status: int = 200):
    """The post's interviewed applicants with a rank field each; ``form`` is a refused ranking."""
    applications = list(selectors.post_ranking(post=post))
    if form is None:
        form = RankingForm(applications=applications)
    return render(
        request,
        "placements/selection/post_ranking.html",
        {
            "post": post,
            "rows": [(app, form[RankingForm.field_name(app)]) for app in applications],
            "ranking_form": form,
            "free_places": services.post_free_places(post=post),
            "held": post.cycle.results_are_held(),
            "statuses": ApplicationStatus,
        },
        status=status,
    )


@coordinator_required
def post_ranking(request, pk: int):
    post = selectors.unit_post_get(unit=request.unit, pk=pk)
    if request.method != "POST":
        return _ranking_page(request, post)
    form = RankingForm(request.POST, applications=list(selectors.post_ranking(post=post)))
    done = form_submit(
        request,
        form,
        lambda: services.post_ranking_set(post=post, ordered_application_ids=form.ordered_ids(), actor=request.user),
        success=_("Ranking saved."),
        then=reverse("placements:post_ranking", args=[post.pk]),
    )
    return done or _ranking_page(request, post, form=form, status=400)


@coordinator_required
@require_POST
def application_offer(request, pk: int):
    application = selectors.unit_application_get(unit=request.unit, pk=pk)
    return action_submit(
        request,
        lambda: services.offer_make(application=application, actor=request.user),
        success=lambda offer: (
            _("Offer made; it is held until the results are announced.")
            if offer.expires_at is None
            else _("Offer made.")
        ),
        then=_next_or(request, reverse("placements:post_ranking", args=[application.post_id])),
    )


@coordinator_required
@require_POST
def application_not_selected(request, pk: int):
    application = selectors.unit_application_get(unit=request.unit, pk=pk)
    return action_submit(
        request,
        lambda: services.application_not_select(application=application, actor=request.user),
        success=_("Marked as not selected."),
        then=reverse("placements:post_ranking", args=[application.post_id]),
    )


# --- interview slots ----------------------------------------------------------------------------------


#: Interview slots per page of the unit's interviews page.
SLOTS_PER_PAGE = 50


@coordinator_required
def slot_list(request):
    unit = request.unit
    form = SlotForm(
        request.POST or None,
        posts=selectors.unit_interview_posts(unit=unit),
        interviewers=selectors.unit_interviewer_choices(unit=unit),
    )

    def create():
        data = form.cleaned_data
        cycle = data["post"].cycle if data.get("post") else cycle_current()
        if cycle is None:
            raise services.SelectionError(_("There is no current cycle."), code="no_cycle")
        return services.interview_slot_create(
            unit=unit,
            cycle=cycle,
            actor=request.user,
            post=data.get("post"),
            starts_at=data["starts_at"],
            duration_minutes=data["duration_minutes"],
            mode=data["mode"],
            meeting_link=data.get("meeting_link", ""),
            address=data.get("address", ""),
            interviewers=data["interviewers"],
            capacity=data["capacity"],
            self_booking=data["self_booking"],
        )

    def created(outcome) -> str:
        for warning in outcome[1]:
            messages.warning(request, warning)
        return _("Interview slot created.")

    done = form_submit(
        request,
        form,
        create,
        success=created,
        then=lambda outcome: reverse("placements:slot_detail", args=[outcome[0].pk]),
    )
    return done or render(
        request,
        "placements/selection/slot_list.html",
        {
            "slots": page_with_count(selectors.unit_slot_timetable(unit=unit), request.GET.get("page"), SLOTS_PER_PAGE),
            "form": form,
        },
        status=form_status(form),
    )


def _slot_page(request, slot, *, assign_form=None, cancel_form=None, status: int = 200):
    """The slot with its interviews, the invitation and the cancellation; bound forms as typed."""
    if assign_form is None:
        assign_form = AssignForm(queryset=selectors.unit_applications_to_invite(unit=request.unit, slot=slot))
    return render(
        request,
        "placements/selection/slot_detail.html",
        {"slot": slot, "assign_form": assign_form, "cancel_form": cancel_form or CancelForm(), "now": timezone.now()},
        status=status,
    )


@coordinator_required
def slot_detail(request, pk: int):
    slot = selectors.unit_slot_get(unit=request.unit, pk=pk)
    if request.method != "POST":
        return _slot_page(request, slot)
    form = AssignForm(request.POST, queryset=selectors.unit_applications_to_invite(unit=request.unit, slot=slot))
    done = form_submit(
        request,
        form,
        lambda: services.interview_book(application=form.cleaned_data["application"], slot=slot, actor=request.user),
        success=_("The applicant is invited; they receive the details."),
        then=reverse("placements:slot_detail", args=[slot.pk]),
    )
    return done or _slot_page(request, slot, assign_form=form, status=400)


@coordinator_required
@require_POST
def slot_cancel(request, pk: int):
    slot = selectors.unit_slot_get(unit=request.unit, pk=pk)
    form = CancelForm(request.POST)
    done = form_submit(
        request,
        form,
        lambda: services.interview_slot_cancel(slot=slot, actor=request.user, reason=form.cleaned_data["reason"]),
        success=lambda n: (
            ngettext(
                "Slot cancelled; %(n)s interview was called off.",
                "Slot cancelled; %(n)s interviews were called off.",
                n,
            )
            % {"n": n}
        ),
        then=reverse("placements:slot_list"),
    )
    return done or _slot_page(request, slot, cancel_form=form, status=400)


def _interview_page(request, interview, *, record_form=None, reschedule_form=None, cancel_form=None, status: int = 200):
    """The interview with its outcome, move and cancel forms; a bound form comes back as typed."""
    slots = selectors.unit_reschedule_slots(unit=request.unit, interview=interview)
    return render(
        request,
        "placements/selection/interview_detail.html",
        {
            "interview": interview,
            "record_form": record_form or RecordForm(),
            "reschedule_form": reschedule_form or RescheduleForm(queryset=slots),
            "cancel_form": cancel_form or CancelForm(),
            "now": timezone.now(),
        },
        status=status,
    )


@coordinator_required
def interview_detail(request, pk: int):
    return _interview_page(request, selectors.unit_interview_get(unit=request.unit, pk=pk))


@coordinator_required
@require_POST
def interview_record(request, pk: int):
    interview = selectors.unit_interview_get(unit=request.unit, pk=pk)
    form = RecordForm(request.POST)
    done = form_submit(
        request,
        form,
        lambda: services.interview_record(
            interview=interview,
            actor=request.user,
            attended=form.cleaned_data["attended"],
            score=form.cleaned_data.get("score"),
            outcome=form.cleaned_data.get("outcome", ""),
            notes=form.cleaned_data.get("notes", ""),
        ),
        success=_("Interview outcome recorded."),
        then=reverse("placements:interview_detail", args=[interview.pk]),
    )
    return done or _interview_page(request, interview, record_form=form, status=400)


@coordinator_required
@require_POST
def interview_reschedule(request, pk: int):
    interview = selectors.unit_interview_get(unit=request.unit, pk=pk)
    slots = selectors.unit_reschedule_slots(unit=request.unit, interview=interview)
    form = RescheduleForm(request.POST, queryset=slots)
    done = form_submit(
        request,
        form,
        lambda: services.interview_reschedule(interview=interview, slot=form.cleaned_data["slot"], actor=request.user),
        success=_("Interview moved; the student is told."),
        then=reverse("placements:interview_detail", args=[interview.pk]),
    )
    return done or _interview_page(request, interview, reschedule_form=form, status=400)


@coordinator_required
@require_POST
def interview_cancel(request, pk: int):
    interview = selectors.unit_interview_get(unit=request.unit, pk=pk)
    form = CancelForm(request.POST)
    done = form_submit(
        request,
        form,
        lambda: services.interview_cancel(interview=interview, actor=request.user, reason=form.cleaned_data["reason"]),
        success=_("Interview cancelled; the student is told."),
        then=reverse("placements:interview_detail", args=[interview.pk]),
    )
    return done or _interview_page(request, interview, cancel_form=form, status=400)


# --- students -------------------------------------------------------------------------------------------


def _student_profile_or_404(user):
    profile = selectors.student_profile_of(user)
    if profile is None:
        raise Http404(_("Fill in your profile first."))
    return profile


@student_required
def my_selection(request):
    """The student's interviews to book, booked interviews and offers."""
    student = _student_profile_or_404(request.user)
    return render(
        request,
        "placements/selection/my_selection.html",
        {
            "bookable": selectors.student_bookable(student=student),
            "interviews": selectors.student_interviews_changeable(student=student),
            "change_hours": settings.INTERVIEW_STUDENT_CHANGE_HOURS,
            "offers": selectors.student_visible_offers(student=student),
            "open_status": OfferStatus.OPEN,
        },
    )


@student_required
@require_POST
def interview_self_book(request, pk: int):
    student = _student_profile_or_404(request.user)
    application_id = request.POST.get("application", "")
    if not application_id.isdigit():
        raise Http404
    application = selectors.student_application_get(student=student, pk=int(application_id))
    slot = selectors.self_booking_slot_get(pk=pk)
    require("selection.book_interview", request.user, application)
    return action_submit(
        request,
        lambda: services.interview_book(application=application, slot=slot, actor=request.user, by_student=True),
        success=_("Your interview is booked."),
        then=reverse("placements:my_selection"),
    )


def _own_interview(request, pk: int):
    student = _student_profile_or_404(request.user)
    return get_object_or_404(selectors.student_interviews(student=student), pk=pk)


@student_required
@require_POST
def interview_student_cancel(request, pk: int):
    interview = _own_interview(request, pk)
    return action_submit(
        request,
        lambda: services.interview_student_cancel(interview=interview, actor=request.user),
        success=_("Your interview is cancelled. You may book another time below."),
        then=reverse("placements:my_selection"),
    )


@student_required
@require_POST
def interview_student_move(request, pk: int):
    interview = _own_interview(request, pk)
    slot_id = request.POST.get("slot", "")
    if not slot_id.isdigit():
        messages.error(request, _("Choose the new time."))
        return redirect("placements:my_selection")
    slot = selectors.self_booking_slot_get(pk=int(slot_id))
    return action_submit(
        request,
        lambda: services.interview_student_move(interview=interview, slot=slot, actor=request.user),
        success=_("Your interview is moved."),
        then=reverse("placements:my_selection"),
    )


def _own_offer(request, pk: int) -> Offer:
    student = _student_profile_or_404(request.user)
    # Another student's offer, or one still held, is not found at all.
    offer = get_object_or_404(selectors.student_visible_offers(student=student), pk=pk)
    require("selection.answer_offer", request.user, offer)
    return offer


@student_required
@require_POST
def offer_accept(request, pk: int):
    offer = _own_offer(request, pk)
    return action_submit(
        request,
        lambda: services.offer_accept(offer=offer, actor=request.user),
        success=_("You accepted the place. Welcome! The onboarding details are on their way."),
        then=_next_or(request, reverse("placements:my_selection")),
    )


@student_required
def offer_decline(request, pk: int):
    """Declining cannot be undone: a GET shows what it means and asks; the POST declines."""
    offer = _own_offer(request, pk)
    if request.method != "POST":
        back = _next_or(request, reverse("placements:my_selection"))
        return render(request, "placements/selection/offer_decline.html", {"offer": offer, "back": back})
    return action_submit(
        request,
        lambda: services.offer_decline(offer=offer, actor=request.user),
        success=_("You declined the offer."),
        then=_next_or(request, reverse("placements:my_selection")),
    )


# --- staff overview --------------------------------------------------------------------------------------


@staff_required
def selection_overview(request):
    cycles = cycles_newest_first()
    cycle = next((c for c in cycles if str(c.pk) == request.GET.get("cycle")), None) or cycle_current()
    context = {"cycles": cycles, "cycle": cycle}
    if cycle is not None:
        context.update(selectors.selection_overview(cycle=cycle))
        context["can_close_selection"] = cycle.status == CycleStatus.OPEN
    return render(request, "placements/selection/overview.html", context)


@staff_required
def selection_close(request, pk: int):
    """Staff end the cycle's selection (``services.cycle_selection_close``), which cannot be
    undone: the page first says what closing would do now and asks; the close then runs as a
    job whose progress, then outcome, this same page shows."""
    cycle = get_object_or_404(cycles_newest_first(), pk=pk)
    here = reverse("placements:selection_close", args=[cycle.pk])
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            return redirect(here)
        return action_submit(
            request,
            lambda: services.cycle_selection_close_start(cycle=cycle, actor=request.user),
            success=None,
            then=here,
        )
    job = selectors.selection_close_job(cycle=cycle)
    context: dict[str, Any] = {"cycle": cycle, "job": job, "open": cycle.status == CycleStatus.OPEN}
    if context["open"] and (job is None or job.is_finished):
        context["preview"] = selectors.selection_close_preview(cycle=cycle)
    return render(request, "placements/selection/selection_close.html", context)


# --- staff: the district-wide allocation round ------------------------------------------------------

allocation_required = rule_required("selection.allocate")


def _allocation_page(request, cycle: Cycle, *, status: int = 200):
    context = {"cycle": cycle, **selectors.allocation_overview(cycle=cycle)}
    return render(request, "placements/selection/allocation.html", context, status=status)


@allocation_required
def allocation(request, pk: int):
    """The cycle's allocation: the latest preview (who gets what), its job's progress, confirm."""
    return _allocation_page(request, selectors.cycle_get(pk=pk))


@allocation_required
@require_POST
def allocation_preview(request, pk: int):
    cycle = selectors.cycle_get(pk=pk)
    return action_submit(
        request,
        lambda: services.allocation_preview_start(cycle=cycle, actor=request.user),
        success=None,
        then=reverse("placements:allocation", args=[cycle.pk]),
    )


@allocation_required
@require_POST
def allocation_confirm(request, pk: int):
    allocation = selectors.allocation_round_get(pk=pk)
    return action_submit(
        request,
        lambda: services.allocation_confirm_start(allocation=allocation, actor=request.user),
        success=None,
        then=reverse("placements:allocation", args=[allocation.cycle_id]),
    )
