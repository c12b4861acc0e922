"""The programme's figures, as staff report them to district leadership every year.

``cycle_figures(cycle)`` computes one cycle's figures with a fixed number of aggregate
queries (nine, whatever the number of students); ``cycles_overview()`` gives every cycle's
headline figures in one query. Both return plain, JSON-able data: the retention run stores
``cycle_figures`` as the cycle's ``CycleStatistics`` before it anonymises anything, and
``dashboard_figures`` then reads the snapshot instead of recomputing.

The funnel counts distinct students, each step a subset of the one before:

* registered — student accounts with a profile, created by the close of the cycle's
  registration (the pool the cycle could draw from);
* applied — students with at least one application in the cycle;
* screened — students with an application a unit shortlisted (its history has a move to
  "shortlisted");
* interviewed, offered, accepted — students with an application whose history reached
  that status (an offer from the backup list counts as offered);
* placed — the cycle's placements that were not cancelled ("selected" in the article);
* completed — placements completed;
* excellent — placements with a final grade of excellent.
"""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from applicants.enums import ApplicationStatus
from applicants.models import Application, ApplicationEvent, StudentProfile
from placements.cultivation.enums import Grade
from placements.models import AlumniRecord, CycleStatistics, Group, Placement
from placements.selection.enums import PlacementStatus
from positions.models import Cycle, Post

FUNNEL_STEPS = (
    "registered",
    "applied",
    "screened",
    "interviewed",
    "offered",
    "accepted",
    "placed",
    "completed",
    "excellent",
)
#: The history move that marks each middle step of the funnel.
_REACHED = {
    "screened": ApplicationStatus.SHORTLISTED,
    "interviewed": ApplicationStatus.INTERVIEWED,
    "offered": ApplicationStatus.OFFERED,
    "accepted": ApplicationStatus.ACCEPTED,
}
TOP_UNIVERSITIES = 20
#: Bumped when the shape of ``cycle_figures`` changes, so old snapshots can be told apart.
FIGURES_VERSION = 1


def cycle_figures(cycle: Cycle) -> dict:
    """One cycle's figures, computed now from the live tables."""
    apps = Application.objects.filter(cycle=cycle).order_by()
    registered = StudentProfile.objects.filter(user__date_joined__lte=cycle.registration_closes_at).count()
    totals = apps.aggregate(
        applications=Count("id"),
        applicants=Count("student", distinct=True),
        universities=Count("student__university", distinct=True),
        overseas=Count("student__university", distinct=True, filter=Q(student__university_overseas=True)),
    )
    reached = ApplicationEvent.objects.filter(application__cycle=cycle).aggregate(
        **{
            step: Count("application__student", distinct=True, filter=Q(to_status=status))
            for step, status in _REACHED.items()
        }
    )
    placements = Placement.objects.filter(post__cycle=cycle).exclude(status=PlacementStatus.CANCELLED).order_by()
    placed = placements.aggregate(
        placed=Count("id"),
        completed=Count("id", filter=Q(status=PlacementStatus.COMPLETED)),
        **{f"grade_{g}": Count("id", filter=Q(final_grade__grade=g)) for g in Grade.values},
    )
    top = (
        apps.values("student__university", "student__university_overseas")
        .annotate(applicants=Count("student", distinct=True))
        .order_by("-applicants", "student__university")[:TOP_UNIVERSITIES]
    )
    posts = (
        Post.objects.filter(cycle=cycle, published_at__isnull=False)
        .order_by()
        .values("unit__kind", "term", "season")
        .annotate(posts=Count("id"), places=Sum("headcount"))
    )
    placed_by = placements.values("post__unit__kind", "term").annotate(placed=Count("id"))
    towns = (
        apps.values("student__hukou_town")
        .annotate(
            applicants=Count("student", distinct=True),
            placed=Count("placement", filter=~Q(placement__status=PlacementStatus.CANCELLED)),
        )
        .order_by("student__hukou_town")
    )
    groups = list(
        Group.objects.filter(cycle=cycle)
        .annotate(size=Count("memberships"))
        .order_by("number")
        .values("number", "name", "size")
    )

    unit_kinds: dict[str, dict] = {}
    terms: dict[str, dict] = {}
    for row in posts:
        kind = unit_kinds.setdefault(row["unit__kind"], {"kind": row["unit__kind"], "posts": 0, "places": 0})
        term = terms.setdefault(row["term"], {"term": row["term"], "posts": 0, "places": 0, "seasons": {}})
        for bucket in (kind, term):
            bucket["posts"] += row["posts"]
            bucket["places"] += row["places"] or 0
        if row["season"]:
            term["seasons"][row["season"]] = term["seasons"].get(row["season"], 0) + row["posts"]
    for row in placed_by:
        kind = unit_kinds.setdefault(
            row["post__unit__kind"], {"kind": row["post__unit__kind"], "posts": 0, "places": 0}
        )
        kind["placed"] = kind.get("placed", 0) + row["placed"]
        term = terms.setdefault(row["term"], {"term": row["term"], "posts": 0, "places": 0, "seasons": {}})
        term["placed"] = term.get("placed", 0) + row["placed"]
    for bucket in [*unit_kinds.values(), *terms.values()]:
        bucket.setdefault("placed", 0)

    funnel = {"registered": registered, "applied": totals["applicants"], **reached}
    funnel |= {"placed": placed["placed"], "completed": placed["completed"], "excellent": placed["grade_excellent"]}
    sizes = [g["size"] for g in groups]
    return {
        "version": FIGURES_VERSION,
        "applicants": totals["applicants"],
        "applications": totals["applications"],
        "placed": placed["placed"],
        "funnel": [{"step": step, "students": funnel[step]} for step in FUNNEL_STEPS],
        "universities": {
            "count": totals["universities"],
            "overseas": totals["overseas"],
            "top": [
                {
                    "name": row["student__university"],
                    "overseas": row["student__university_overseas"],
                    "applicants": row["applicants"],
                }
                for row in top
            ],
        },
        "unit_kinds": sorted(unit_kinds.values(), key=lambda r: (-r["posts"], r["kind"])),
        "towns": [
            {"town": row["student__hukou_town"], "applicants": row["applicants"], "placed": row["placed"]}
            for row in towns
        ],
        "terms": sorted(terms.values(), key=lambda r: r["term"], reverse=True),
        "groups": {
            "count": len(groups),
            "smallest": min(sizes, default=0),
            "largest": max(sizes, default=0),
            "list": groups,
        },
        "grades": [{"grade": g, "placements": placed[f"grade_{g}"]} for g in Grade.values],
    }


def _count_of(queryset, group: str, field: str = "pk", *, distinct: bool = False):
    counted = queryset.order_by().values(group).annotate(n=Count(field, distinct=distinct)).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def cycles_overview() -> list[dict]:
    """Every cycle, oldest first, with its headline figures: one query."""
    applications = Application.objects.filter(cycle=OuterRef("pk"))
    placements = Placement.objects.filter(post__cycle=OuterRef("pk")).exclude(status=PlacementStatus.CANCELLED)
    alumni = AlumniRecord.objects.filter(cycle=OuterRef("pk"))
    return list(
        Cycle.objects.order_by("year")
        .annotate(
            applicants=_count_of(applications, "cycle", "student", distinct=True),
            placed=_count_of(placements, "post__cycle"),
            alumni_answered=_count_of(alumni, "cycle"),
            back_in_jinshan=_count_of(alumni.filter(back_in_jinshan=True), "cycle"),
        )
        .values(
            "pk",
            "year",
            "ordinal",
            "title",
            "status",
            "registration_closes_at",
            "applicants",
            "placed",
            "alumni_answered",
            "back_in_jinshan",
        )
    )


def growth_percent(current: int, previous: int | None) -> float | None:
    """The change from ``previous`` to ``current`` in per cent, one decimal (None without a base)."""
    if not previous:
        return None
    return round((current - previous) * 100 / previous, 1)


def dashboard_figures(year: int | None = None) -> dict | None:
    """What the dashboard shows: every cycle year over year, and the chosen cycle (``year``,
    default the latest) in detail — from its snapshot when it has one. None without cycles."""
    overview = cycles_overview()
    if not overview:
        return None
    snapshots = {
        row["cycle_id"]: row
        for row in CycleStatistics.objects.values("cycle_id", "taken_at", "figures__applicants", "figures__placed")
    }
    previous = None
    for row in overview:
        snapshot = snapshots.get(row["pk"])
        if snapshot is not None:
            row["applicants"] = snapshot["figures__applicants"]
            row["placed"] = snapshot["figures__placed"]
        row["snapshot_at"] = snapshot["taken_at"] if snapshot else None
        row["previous_applicants"] = previous
        row["growth"] = growth_percent(row["applicants"], previous)
        previous = row["applicants"]
    chosen = next((row for row in overview if row["year"] == year), overview[-1])
    if chosen["snapshot_at"] is not None:
        figures = CycleStatistics.objects.get(cycle_id=chosen["pk"]).figures
    else:
        figures = cycle_figures(Cycle(pk=chosen["pk"], registration_closes_at=chosen["registration_closes_at"]))
    return {"cycles": overview, "cycle": chosen, "figures": figures}
