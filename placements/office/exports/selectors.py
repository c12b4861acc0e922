"""The rows of each export, as one joined queryset each (no query per row).

Every selector takes the cleaned filter and ``unit``: the unit a coordinator is limited to
(``None`` for programme staff). The limit is applied here, in the queryset, whatever the filter
says, so a coordinator's file never holds another unit's row.
"""

from typing import Any

from django.db.models import Avg, Exists, IntegerField, OuterRef, QuerySet, Subquery

from applicants.models import Application
from jinseed.accounts.models import User
from jinseed.authz import is_programme_staff
from placements.models import AlumniRecord, Assessment, Export, GroupMembership, Interview, Placement, Review
from positions.models import Cycle, HostUnit


def _scoped(
    qs: QuerySet[Any],
    filters: dict[str, Any],
    unit: HostUnit | None,
    *,
    cycle: str,
    unit_path: str,
    status: str = "status",
) -> QuerySet[Any]:
    if filters.get("cycle"):
        qs = qs.filter(**{cycle: filters["cycle"]})
    if unit is not None:
        qs = qs.filter(**{unit_path: unit.pk})
    elif filters.get("unit"):
        qs = qs.filter(**{unit_path: filters["unit"]})
    if filters.get("status"):
        qs = qs.filter(**{status: filters["status"]})
    return qs


def applications_for_export(filters: dict[str, Any], unit: HostUnit | None) -> QuerySet[Application]:
    """Applicants with their profile, post, reviews' average and best interview score."""
    review_average = (
        Review.objects.filter(application=OuterRef("pk"), average__isnull=False)
        .order_by()
        .values("application")
        .annotate(a=Avg("average"))
        .values("a")
    )
    interview_score = (
        Interview.objects.filter(application=OuterRef("pk"), score__isnull=False).order_by("-score").values("score")[:1]
    )
    qs = (
        Application.objects.select_related("student__user", "post__unit", "cycle")
        .annotate(
            export_review_average=Subquery(review_average),
            export_interview_score=Subquery(interview_score, output_field=IntegerField()),
        )
        .order_by("cycle__year", "post__unit__name", "post__title", "preference_rank", "student__legal_name", "pk")
    )
    return _scoped(qs, filters, unit, cycle="cycle", unit_path="post__unit")


def placements_for_export(filters: dict[str, Any], unit: HostUnit | None) -> QuerySet[Placement]:
    qs = Placement.objects.select_related(
        "student__user", "post__unit", "post__cycle", "mentor__user", "group_membership__group", "final_grade"
    ).order_by("post__cycle__year", "post__unit__name", "post__title", "student__legal_name", "pk")
    return _scoped(qs, filters, unit, cycle="post__cycle", unit_path="post__unit")


def group_members_for_export(filters: dict[str, Any], unit: HostUnit | None) -> QuerySet[GroupMembership]:
    qs = GroupMembership.objects.select_related(
        "group__cycle", "placement__student__user", "placement__post__unit"
    ).order_by("group__cycle__year", "group__number", "placement__student__legal_name", "pk")
    return _scoped(qs, filters, unit, cycle="group__cycle", unit_path="placement__post__unit")


def interviews_for_export(filters: dict[str, Any], unit: HostUnit | None) -> QuerySet[Interview]:
    qs = (
        Interview.objects.select_related("application__student__user", "application__post__unit", "application__cycle")
        .prefetch_related("interviewers")
        .order_by("starts_at", "application__post__unit__name", "pk")
    )
    return _scoped(qs, filters, unit, cycle="application__cycle", unit_path="application__post__unit")


def assessments_for_export(filters: dict[str, Any], unit: HostUnit | None) -> QuerySet[Assessment]:
    qs = Assessment.objects.select_related(
        "placement__student__user",
        "placement__post__unit",
        "placement__post__cycle",
        "placement__final_grade",
        "assessor",
    ).order_by("placement__post__cycle__year", "placement__post__unit__name", "placement__student__legal_name", "pk")
    return _scoped(qs, filters, unit, cycle="placement__post__cycle", unit_path="placement__post__unit")


# --- the exports themselves -------------------------------------------------------------------------


def alumni_for_export(filters: dict[str, Any], unit: HostUnit | None) -> QuerySet[AlumniRecord]:
    """Alumni answers (the students' own and those staff recorded) with the student's contact.

    A coordinator gets the alumni who were placed in their unit in the record's cycle.
    """
    qs = AlumniRecord.objects.select_related("student__user", "cycle", "recorded_by").order_by(
        "cycle__year", "student__legal_name", "pk"
    )
    if filters.get("cycle"):
        qs = qs.filter(cycle=filters["cycle"])
    scope = unit.pk if unit is not None else filters.get("unit")
    if scope:
        placed_there = Placement.objects.filter(
            student=OuterRef("student"), post__cycle=OuterRef("cycle"), post__unit=scope
        )
        qs = qs.filter(Exists(placed_there))
    return qs


def exports_recent_for_user(*, user: User, limit: int = 10) -> list[Export]:
    """The person's own latest exports, with their jobs, for the exports page."""
    return list(Export.objects.filter(created_by=user).select_related("job", "scope_unit")[:limit])


def export_get_for_user(*, user: User, pk: int) -> Export | None:
    """The export, when ``user`` started it or is programme staff; else ``None`` (a 404)."""
    export = Export.objects.select_related("job", "scope_unit", "created_by").filter(pk=pk).first()
    if export is None:
        return None
    if export.created_by_id == user.pk or is_programme_staff(user):
        return export
    return None


def export_filter_objects(*, filters: dict[str, Any]) -> tuple[Cycle | None, HostUnit | None]:
    """The cycle and unit an export was filtered by, to name them on its page."""
    cycle = Cycle.objects.filter(pk=filters["cycle"]).first() if filters.get("cycle") else None
    unit = HostUnit.objects.filter(pk=filters["unit"]).first() if filters.get("unit") else None
    return cycle, unit
