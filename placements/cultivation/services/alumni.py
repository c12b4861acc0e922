"""Alumni tracking (跟踪培养): the survey after a cycle and the answers it brings back.

After a cycle, staff send the alumni survey to every student who completed a placement in it
(``alumni_survey_send``; once per student and cycle, however often it is sent). The student
answers from their account and may update the answer later (``alumni_record_answer``);
staff record what they learn by other means (``alumni_record_by_staff``), and the record
says so (``source = staff``). One record per student and cycle: the last answer counts.
"""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jinseed.accounts.models import User
from jinseed.authz import authorize
from jinseed.notifications.services import notification_queue
from placements.cultivation.enums import AlumniSource
from placements.models import AlumniRecord, Placement
from placements.selection.enums import PlacementStatus
from positions.models import Cycle

from .core import CultivationError

#: What a record holds besides who, when and where it came from.
ALUMNI_FIELDS = (
    "graduation_year",
    "graduation_month",
    "activity",
    "sector",
    "employer",
    "back_in_jinshan",
    "contact_consent",
)


def alumni_survey_recipients(*, cycle: Cycle) -> QuerySet[Placement]:
    """The cycle's completed placements, one per student: whom the survey goes to."""
    return (
        Placement.objects.filter(post__cycle=cycle, status=PlacementStatus.COMPLETED)
        .select_related("student__user", "post__cycle")
        .order_by("pk")
    )


@transaction.atomic
def alumni_survey_send(*, cycle: Cycle, actor: User | None) -> int:
    """Queue the alumni survey for the cycle's completed students; returns how many were
    queued now (a student already sent this cycle's survey is not sent it again)."""
    authorize("cultivation.manage_alumni", actor, error=CultivationError)
    queued = 0
    for placement in alumni_survey_recipients(cycle=cycle):
        rows = notification_queue(
            recipient=placement.student.user,
            kind="alumni_survey",
            context={
                "student_name": placement.student.legal_name,
                "cycle_title": cycle.title,
                "url": reverse("cultivation:my_alumni_edit", args=[placement.pk]),
            },
            event_key=f"alumni_survey:{cycle.pk}:{placement.student_id}",
        )
        queued += bool(rows)
    return queued


def _save(*, placement: Placement, actor: User | None, source: str, data: dict[str, Any]) -> AlumniRecord:
    if placement.status != PlacementStatus.COMPLETED:
        raise CultivationError(_("Only a completed placement has an alumni record."), code="not_completed")
    values = {name: data[name] for name in ALUMNI_FIELDS}
    record, _created = AlumniRecord.objects.update_or_create(
        student_id=placement.student_id,
        cycle_id=placement.post.cycle_id,
        defaults={**values, "source": source, "recorded_by": actor, "recorded_at": timezone.now()},
    )
    return record


@transaction.atomic
def alumni_record_answer(*, placement: Placement, actor: User | None, data: dict[str, Any]) -> AlumniRecord:
    """The student's own answer to the survey, for the cycle of ``placement`` (new or updated)."""
    authorize("cultivation.answer_alumni_survey", actor, placement, error=CultivationError)
    return _save(placement=placement, actor=actor, source=AlumniSource.STUDENT, data=data)


@transaction.atomic
def alumni_record_by_staff(*, placement: Placement, actor: User | None, data: dict[str, Any]) -> AlumniRecord:
    """What staff learnt by other means (a call, a reunion), marked as staff-recorded."""
    authorize("cultivation.manage_alumni", actor, error=CultivationError)
    return _save(placement=placement, actor=actor, source=AlumniSource.STAFF, data=data)
