"""Reviews, shortlisting and rejection of applications."""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from applicants.models import Application
from applicants.services import application_transition
from jinseed.accounts.models import User
from jinseed.authz import authorize
from jinseed.errors import DomainError
from placements.models import Review, ReviewCriterion, ReviewScore
from placements.selection.enums import (
    RejectionReason,
)

from .core import LIVE_INTERVIEW, S, SelectionError
from .interviews import interview_call_off
from .notify import application_context, decision_key_prefix, notify


@transaction.atomic
def review_save(*, application: Application, reviewer: User, scores: dict[int, int], notes: str = "") -> Review:
    """Create or replace ``reviewer``'s scores (1–5 per criterion of the cycle) and notes."""
    authorize("selection.decide_for_unit", reviewer, application, error=SelectionError)
    criteria = {c.pk: c for c in ReviewCriterion.objects.filter(cycle_id=application.cycle_id)}
    unknown = set(scores) - set(criteria)
    if unknown:
        raise SelectionError(_("A score was given for a criterion of another cycle."), code="unknown_criterion")
    for value in scores.values():
        if not 1 <= int(value) <= 5:
            raise SelectionError(_("Scores go from 1 to 5."), code="score_range")
    review, _created = Review.objects.select_for_update().get_or_create(application=application, reviewer=reviewer)
    review.scores.exclude(criterion_id__in=scores).delete()
    for criterion_id, value in scores.items():
        ReviewScore.objects.update_or_create(review=review, criterion_id=criterion_id, defaults={"score": int(value)})
    review.notes = notes.strip()
    review.average = (
        (Decimal(sum(int(v) for v in scores.values())) / len(scores)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if scores
        else None
    )
    review.save(update_fields=["notes", "average", "updated_at"])
    return review


def rejection_reason_text(*, reason_code: str, reason_text: str = "", language: str | None = None) -> str:
    """The reason the student reads: the chosen label, then the unit's own words.

    The label is worded in ``language`` (the reader's), or in the portal's primary language
    for the audit trail, whatever language the coordinator's browser uses.
    """
    text = reason_text.strip()
    if reason_code == RejectionReason.OTHER and not text:
        raise SelectionError(_("Say why when the reason is “Other reason”."), code="reason_required")
    with translation.override(language or settings.LANGUAGE_CODE):
        label = str(RejectionReason(reason_code).label)
        if not text:
            return label
        # Translators: a label, then what is said about it; Chinese takes a full-width colon.
        return _("%(label)s: %(text)s") % {"label": label, "text": text}


@transaction.atomic
def application_shortlist(*, application: Application, actor: User | None) -> Application:
    authorize("selection.decide_for_unit", actor, application, error=SelectionError)
    app = application_transition(application=application, to_status=S.SHORTLISTED, actor=actor)
    app = Application.objects.select_related("student__user", "post__unit").get(pk=app.pk)
    notify(
        recipient=app.student.user,
        kind="application_shortlisted",
        context=application_context(app),
        event_key=f"{decision_key_prefix(app.pk)}shortlisted",
        replaces=decision_key_prefix(app.pk),
    )
    return app


@transaction.atomic
def application_reject(
    *, application: Application, actor: User | None, reason_code: str, reason_text: str = ""
) -> Application:
    authorize("selection.decide_for_unit", actor, application, error=SelectionError)
    reason = rejection_reason_text(reason_code=reason_code, reason_text=reason_text)
    app = application_transition(application=application, to_status=S.REJECTED, actor=actor, reason=reason)
    app = Application.objects.select_related("student__user", "post__unit").get(pk=app.pk)
    for interview in app.interviews.filter(status=LIVE_INTERVIEW):
        # The rejection tells the student; the calendar entry is withdrawn by the cancel notice.
        interview_call_off(interview=interview, reason=reason)
    student_reason = rejection_reason_text(
        reason_code=reason_code, reason_text=reason_text, language=app.student.user.language
    )
    notify(
        recipient=app.student.user,
        kind="application_not_shortlisted",
        context={**application_context(app), "reason": student_reason},
        event_key=f"{decision_key_prefix(app.pk)}not_shortlisted",
        replaces=decision_key_prefix(app.pk),
    )
    return app


def applications_bulk_decide(
    *,
    applications: Iterable[Application],
    decision: str,
    actor: User | None,
    reason_code: str = "",
    reason_text: str = "",
) -> tuple[int, list[str]]:
    """Shortlist or reject many applications; each in its own transaction, so one refusal
    (say, a student who withdrew meanwhile) does not undo the others. Returns (done, errors)."""
    if decision == "reject":
        rejection_reason_text(reason_code=reason_code, reason_text=reason_text)  # validate once, up front
    done, errors = 0, []
    for app in applications:
        try:
            if decision == "shortlist":
                application_shortlist(application=app, actor=actor)
            elif decision == "reject":
                application_reject(application=app, actor=actor, reason_code=reason_code, reason_text=reason_text)
            else:
                raise SelectionError(_("Unknown decision."), code="unknown_decision")
            done += 1
        except DomainError as exc:
            errors.append(_("%(label)s: %(text)s") % {"label": app.student.legal_name, "text": exc.message})
    return done, errors
