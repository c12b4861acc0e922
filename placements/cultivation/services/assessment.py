"""Assessments by mentor and unit, and the final grade staff confirm."""

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jinseed.accounts.models import User
from jinseed.authz import can
from placements.cultivation.enums import (
    AssessorRole,
    Grade,
    PlacementEventKind,
)
from placements.models import (
    Assessment,
    Certificate,
    CycleCultivationSettings,
    FinalGrade,
    Placement,
)
from positions.models import Cycle

from .certificates import certificate_revoke_locked
from .core import (
    ASSESSABLE_STATUSES,
    CultivationError,
    forbid,
    notify,
    placement_context,
    placement_event,
    placement_lock,
)


@transaction.atomic
def assessment_submit(
    *,
    placement: Placement,
    actor: User | None,
    role: str,
    attendance: int,
    work_quality: int,
    initiative: int,
    teamwork: int,
    proposed_grade: str,
    comments: str = "",
) -> Assessment:
    """The mentor's or the coordinator's assessment (created or replaced until the grade is confirmed)."""
    locked = placement_lock(placement)
    rule = {
        str(AssessorRole.MENTOR): "cultivation.assess_as_mentor",
        str(AssessorRole.COORDINATOR): "cultivation.assess_as_coordinator",
    }.get(role)
    if rule is None or not can(rule, actor, locked):
        raise forbid(_("Only the student's mentor and the unit's coordinator assess this placement."))
    if locked.status not in ASSESSABLE_STATUSES:
        raise CultivationError(_("A placement is assessed once it has started."), code="not_started")
    if FinalGrade.objects.filter(placement=locked).exists():
        raise CultivationError(_("The final grade is confirmed: the assessments are locked."), code="grade_locked")
    scores = {
        "attendance": attendance,
        "work_quality": work_quality,
        "initiative": initiative,
        "teamwork": teamwork,
    }
    if any(not 1 <= int(v) <= 5 for v in scores.values()):
        raise CultivationError(_("Scores go from 1 to 5."), code="score_range")
    if proposed_grade not in Grade.values:
        raise CultivationError(_("Choose a grade."), code="grade")
    assessment, _created = Assessment.objects.update_or_create(
        placement=locked,
        assessor_role=role,
        defaults={
            **{k: int(v) for k, v in scores.items()},
            "assessor": actor,
            "proposed_grade": proposed_grade,
            "comments": comments.strip(),
        },
    )
    return assessment


def cultivation_settings(cycle: Cycle) -> CycleCultivationSettings:
    found = CycleCultivationSettings.objects.filter(cycle=cycle).first()
    return found or CycleCultivationSettings(cycle=cycle)


def excellent_share(*, cycle: Cycle) -> tuple[int, int]:
    """(excellent, confirmed) final grades of the cycle."""
    counts = FinalGrade.objects.filter(placement__post__cycle=cycle).aggregate(
        total=Count("id"), excellent=Count("id", filter=Q(grade=Grade.EXCELLENT))
    )
    return counts["excellent"], counts["total"]


def excellent_cap_warning(*, cycle: Cycle) -> str | None:
    """A warning when the cycle's share of excellent grades is over its cap (None when within)."""
    cap = cultivation_settings(cycle).excellent_cap_percent
    excellent, total = excellent_share(cycle=cycle)
    if cap is None or total == 0 or excellent * 100 <= cap * total:
        return None
    return _(
        "%(excellent)d of %(total)d confirmed grades (%(share)d%%) are excellent: more than the cap of %(cap)d%%."
    ) % {
        "excellent": excellent,
        "total": total,
        "share": round(excellent * 100 / total),
        "cap": cap,
    }


@transaction.atomic
def grade_confirm(
    *, placement: Placement, actor: User | None, grade: str, reason: str = ""
) -> tuple[FinalGrade, list[str]]:
    """Staff confirm the final grade; it is locked from then on.

    A later change needs a reason, leaves a ``PlacementEvent`` and revokes the live
    certificate (which shows the old grade). Returns the grade and the warnings to show
    (the cycle's excellent share over its cap).
    """
    locked = placement_lock(placement)
    if not can("cultivation.confirm_grade", actor, locked):
        raise forbid(_("Only programme staff confirm a final grade."))
    if grade not in Grade.values:
        raise CultivationError(_("Choose a grade."), code="grade")
    if locked.status not in ASSESSABLE_STATUSES:
        raise CultivationError(_("A placement is graded once it has started."), code="not_started")
    if not Assessment.objects.filter(placement=locked).exists():
        raise CultivationError(_("Wait for the mentor's or the coordinator's assessment."), code="no_assessment")
    current = FinalGrade.objects.select_for_update().filter(placement=locked).first()
    if current is None:
        final = FinalGrade.objects.create(placement=locked, grade=grade, confirmed_by=actor)
        placement_event(placement=locked, kind=PlacementEventKind.GRADE, from_value="", to_value=grade, actor=actor)
    else:
        if not reason.strip():
            raise CultivationError(_("The final grade is locked: changing it needs a reason."), code="reason_required")
        if current.grade == grade:
            raise CultivationError(_("The final grade is already “%(grade)s”.") % {"grade": Grade(grade).label})
        placement_event(
            placement=locked,
            kind=PlacementEventKind.GRADE,
            from_value=current.grade,
            to_value=grade,
            actor=actor,
            reason=reason.strip(),
        )
        current.grade, current.confirmed_by, current.confirmed_at = grade, actor, timezone.now()
        current.save(update_fields=["grade", "confirmed_by", "confirmed_at"])
        final = current
        for certificate in Certificate.objects.select_for_update().filter(placement=locked, revoked_at__isnull=True):
            certificate_revoke_locked(
                certificate=certificate,
                actor=actor,
                reason=_("The final grade changed: %(reason)s") % {"reason": reason},
            )
    placement_full = Placement.objects.select_related("student__user", "post__unit").get(pk=locked.pk)
    with translation.override(placement_full.student.user.language or settings.LANGUAGE_CODE):
        grade_label = str(Grade(grade).label)
    notify(
        recipient=placement_full.student.user,
        kind="grade_confirmed",
        context={**placement_context(placement_full), "grade": grade_label},
        event_key=f"placement:{locked.pk}:grade:{final.confirmed_at.timestamp():.0f}",
    )
    warning = excellent_cap_warning(cycle=locked.post.cycle)
    return final, [warning] if warning else []
