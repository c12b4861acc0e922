"""Retention: what the portal forgets of a cycle once it is long over.

An archived cycle whose placements ended more than ``RETENTION_YEARS`` (default 3) ago keeps
what the programme must be able to prove — placements, grades, certificates, alumni records
and the people behind them — and forgets the rest:

1. first the cycle's figures are stored as its ``CycleStatistics`` (once: a later run keeps
   the snapshot taken before the first purge), so the dashboard's historic figures never move;
2. every application of the cycle that never led to a placement loses its free text (the
   personal statement, the reasons in its history, the reviewers' and interviewers' notes)
   and its résumé file;
3. a student of such an application is anonymised when nothing of theirs is worth keeping:
   no placement in any cycle and no application in a cycle outside retention. Their name
   becomes "已匿名", the ID number (encrypted, digest, masked) and consent are removed, the birth
   date keeps only its year; the account loses name, mobile and email (replaced by an
   address that cannot receive mail), its password is made unusable and it is deactivated.
   University, town, degree and year of study stay: they are the statistics, not the person.

Everything is set-based (a fixed number of queries whatever the cycle's size) apart from
deleting the résumé files, one storage call per file. Running it again changes nothing.
"""

import datetime as dt
import logging
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat, TruncYear
from django.utils import timezone

from applicants.models import Application, ApplicationEvent, StudentProfile
from jinseed.accounts.models import User
from placements.models import CycleStatistics, Interview, Placement, Review
from placements.office.selectors import cycle_figures, dashboard_figures_refresh
from positions.enums import CycleStatus
from positions.models import Cycle

logger = logging.getLogger(__name__)

ANONYMOUS_NAME = "已匿名"
RESUME_STORAGE = Application._meta.get_field("resume").storage


def retention_cutoff(today: dt.date | None = None) -> dt.date:
    """Cycles whose placements ended before this day are past retention."""
    today = today or timezone.localdate()
    years = settings.RETENTION_YEARS
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def retention_due_cycles(today: dt.date | None = None) -> QuerySet[Cycle]:
    return Cycle.objects.filter(status=CycleStatus.ARCHIVED, placement_ends_on__lt=retention_cutoff(today)).order_by(
        "year"
    )


def _unplaced_applications(cycle: Cycle) -> QuerySet[Application]:
    return Application.objects.filter(cycle=cycle).filter(~Exists(Placement.objects.filter(application=OuterRef("pk"))))


def _students_to_anonymise(cycles: Sequence[Cycle]) -> QuerySet[StudentProfile]:
    """Students of the purged applications with nothing worth keeping elsewhere."""
    kept = Application.objects.filter(student=OuterRef("pk")).exclude(cycle__in=cycles)
    return (
        StudentProfile.objects.filter(applications__cycle__in=cycles)
        .filter(~Exists(Placement.objects.filter(student=OuterRef("pk"))), ~Exists(kept))
        .exclude(legal_name=ANONYMOUS_NAME)
        .distinct()
    )


def cycle_statistics_take(*, cycle: Cycle) -> CycleStatistics:
    """The cycle's figures now, stored as its snapshot (kept if one exists already)."""
    snapshot, _created = CycleStatistics.objects.get_or_create(
        cycle=cycle, defaults={"figures": cycle_figures(cycle), "taken_at": timezone.now()}
    )
    if _created:  # the dashboard shows the snapshot from now on
        transaction.on_commit(dashboard_figures_refresh)
    return snapshot


def retention_preview(*, today: dt.date | None = None) -> list[dict[str, Any]]:
    """What a run would do, cycle by cycle, without changing anything."""
    cycles = list(retention_due_cycles(today))
    rows = []
    for cycle in cycles:
        apps = _unplaced_applications(cycle)
        rows.append(
            {
                "cycle": cycle.year,
                "applications": apps.exclude(statement="", resume="").count(),
                "resumes": apps.exclude(resume="").count(),
                "students": _students_to_anonymise([cycle]).count(),
            }
        )
    return rows


@transaction.atomic
def retention_run(*, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Snapshot, then anonymise every cycle past retention; returns what was done per cycle."""
    done = []
    for cycle in retention_due_cycles(today):
        cycle_statistics_take(cycle=cycle)
        apps = _unplaced_applications(cycle)
        files = list(apps.exclude(resume="").values_list("pk", "resume"))
        cleared = apps.exclude(statement="", resume="").update(statement="", resume="")
        ApplicationEvent.objects.filter(application__in=apps).exclude(reason="").update(reason="")
        Review.objects.filter(application__in=apps).exclude(notes="").update(notes="")
        Interview.objects.filter(application__in=apps).exclude(notes="").update(notes="")
        for _pk, name in files:
            transaction.on_commit(partial(RESUME_STORAGE.delete, name))
        students = _students_to_anonymise([cycle])
        profile_ids = list(students.values_list("pk", flat=True))
        user_ids = list(StudentProfile.objects.filter(pk__in=profile_ids).values_list("user_id", flat=True))
        StudentProfile.objects.filter(pk__in=profile_ids).update(
            legal_name=ANONYMOUS_NAME,
            id_number_encrypted="",
            id_number_digest=Concat(Value("anonymised-"), Cast("pk", CharField())),
            id_number_masked="",
            birth_date=TruncYear("birth_date"),
            consent_at=None,
            consent_version="",
        )
        User.objects.filter(pk__in=user_ids).update(
            full_name=ANONYMOUS_NAME,
            email=Concat(Value("anonymised-"), Cast("pk", CharField()), Value("@anonymised.invalid")),
            mobile=None,
            password="!",  # noqa: S106 - an unusable password (Django's own marker)
            is_active=False,
        )
        row = {"cycle": cycle.year, "applications": cleared, "resumes": len(files), "students": len(profile_ids)}
        logger.info("Retention of %s: %s", cycle, row)
        done.append(row)
    return done
