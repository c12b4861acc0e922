"""The programme's figures, as staff report them to district leadership every year.

``cycle_figures(cycle)`` computes one cycle's figures with a fixed number of aggregate
queries (five, whatever the number of students); ``cycles_overview()`` gives every cycle's
headline figures in two. Both return plain, JSON-able data: the retention run stores
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

  the status tells where an application has been (the transition table allows one way to
  each status) except for "rejected" and "withdrawn", which can come before or after
  shortlisting and interviews: for those alone the history is read;
* placed — the cycle's placements that were not cancelled ("selected" in the article);
* completed — placements completed;
* excellent — placements with a final grade of excellent.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, Model, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

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


def _rows(queryset: QuerySet[Any, Any]) -> list[dict[str, Any]]:
    """The rows of a ``values()`` queryset, as plain dicts."""
    return list(queryset)


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _students_of(cycle: Cycle) -> list[dict[str, Any]]:
    """Per university, overseas flag and home town: how many students applied in ``cycle``
    and how many of them reached each middle step of the funnel (their furthest application
    counts: the steps are nested, so each student's furthest step is enough). One aggregate
    query: per application, the status tells where it has been (the
    transition table allows one way to each status), except for "rejected" and "withdrawn",
    which can come before or after shortlisting and interviews — for those applications
    alone the history is read. Written in SQL for the two levels of grouping (per student,
    then per university and town), which the ORM does not write."""
    S = ApplicationStatus
    after_interview = [S.INTERVIEWED, S.OFFERED, S.ACCEPTED, S.DECLINED, S.NOT_SELECTED]
    after_shortlist = [S.SHORTLISTED, *after_interview]
    offered = [S.OFFERED, S.ACCEPTED, S.DECLINED]

    def marks(values: Sequence[str]) -> str:
        return ", ".join(["%s"] * len(values))

    # Computed once: PostgreSQL would otherwise repeat it in each parallel worker.
    materialized = "MATERIALIZED " if connection.vendor in ("postgresql", "sqlite") else ""

    sql = f"""
        WITH history AS (
            SELECT e.application_id AS app,
                   MAX(CASE WHEN e.to_status = %s THEN 1 ELSE 0 END) AS screened,
                   MAX(CASE WHEN e.to_status = %s THEN 1 ELSE 0 END) AS interviewed
            FROM {_table(ApplicationEvent)} e JOIN {_table(Application)} a ON a.id = e.application_id
            WHERE a.cycle_id = %s AND a.status IN (%s, %s) AND e.to_status IN (%s, %s)
            GROUP BY e.application_id
        ),
        per_student AS {materialized}(
            SELECT a.student_id AS sid,
                   MAX(CASE
                       WHEN a.status IN (%s) THEN 4
                       WHEN a.status IN ({marks(offered)}) THEN 3
                       WHEN a.status IN ({marks(after_interview)}) OR h.interviewed = 1 THEN 2
                       WHEN a.status IN ({marks(after_shortlist)}) OR h.screened = 1 THEN 1
                       ELSE 0
                   END) AS furthest
            FROM {_table(Application)} a LEFT JOIN history h ON h.app = a.id
            WHERE a.cycle_id = %s
            GROUP BY a.student_id
        )
        SELECT p.university, p.university_overseas, p.hukou_town, COUNT(*),
               SUM(CASE WHEN s.furthest >= 1 THEN 1 ELSE 0 END),
               SUM(CASE WHEN s.furthest >= 2 THEN 1 ELSE 0 END),
               SUM(CASE WHEN s.furthest >= 3 THEN 1 ELSE 0 END),
               SUM(CASE WHEN s.furthest >= 4 THEN 1 ELSE 0 END)
        FROM per_student s JOIN {_table(StudentProfile)} p ON p.id = s.sid
        GROUP BY p.university, p.university_overseas, p.hukou_town
    """  # noqa: S608 - table names from the models, values as parameters
    params = [
        S.SHORTLISTED,
        S.INTERVIEWED,
        cycle.pk,
        S.REJECTED,
        S.WITHDRAWN,
        S.SHORTLISTED,
        S.INTERVIEWED,
        S.ACCEPTED,
        *offered,
        *after_interview,
        *after_shortlist,
        cycle.pk,
    ]
    names = ["university", "overseas", "town", "n", "screened", "interviewed", "offered", "accepted"]
    with connection.cursor() as cursor:
        cursor.execute(sql, cast(list[Any], params))
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _applicants_per_cycle(exclude: list[int]) -> dict[int, int]:
    """Distinct applicants of every cycle but ``exclude`` (those whose figures are known)."""
    sql = f"""
        SELECT cycle_id, COUNT(*) FROM (
            SELECT DISTINCT cycle_id, student_id FROM {_table(Application)}
            {"WHERE cycle_id NOT IN (" + ", ".join(["%s"] * len(exclude)) + ")" if exclude else ""}
        ) pairs GROUP BY cycle_id
    """  # noqa: S608 - table name from the model, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, exclude)
        return dict(cursor.fetchall())


def cycle_figures(cycle: Cycle) -> dict[str, Any]:
    """One cycle's figures, computed now from the live tables in five aggregate queries."""
    registered = StudentProfile.objects.filter(user__date_joined__lte=cycle.registration_closes_at).count()
    steps = list(_REACHED)
    students = _students_of(cycle)
    grades = {f"grade_{g}": Count("id", filter=Q(final_grade__grade=g)) for g in Grade.values}
    placed_rows = _rows(
        Placement.objects.filter(post__cycle=cycle)
        .exclude(status=PlacementStatus.CANCELLED)
        .order_by()
        .values(kind=F("post__unit__kind"), placed_term=F("term"), town=F("student__hukou_town"))
        .annotate(placed=Count("id"), completed=Count("id", filter=Q(status=PlacementStatus.COMPLETED)), **grades)
    )
    posts = _rows(
        Post.objects.filter(cycle=cycle, published_at__isnull=False)
        .order_by()
        .values("unit__kind", "term", "season")
        .annotate(posts=Count("id"), places=Sum("headcount"))
    )
    groups = _rows(
        Group.objects.filter(cycle=cycle)
        .annotate(size=Count("memberships"))
        .order_by("number")
        .values("number", "name", "size")
    )

    # Sums over the grouped rows (a few hundred at most: universities × towns), not over students.
    funnel = {"registered": registered, "applied": sum(r["n"] for r in students)}
    funnel |= {step: sum(r[step] for r in students) for step in steps}
    by_university: dict[tuple[str, bool], int] = {}
    by_town: dict[str, dict[str, Any]] = {}
    for r in students:
        key = (r["university"], bool(r["overseas"]))
        by_university[key] = by_university.get(key, 0) + r["n"]
        town = by_town.setdefault(r["town"], {"town": r["town"], "applicants": 0, "placed": 0})
        town["applicants"] += r["n"]
    placed = {name: sum(r[name] for r in placed_rows) for name in ("placed", "completed", *grades)}
    funnel |= {"placed": placed["placed"], "completed": placed["completed"], "excellent": placed["grade_excellent"]}

    unit_kinds: dict[str, dict[str, Any]] = {}
    terms: dict[str, dict[str, Any]] = {}

    def kind_of(kind: str) -> dict[str, Any]:
        return unit_kinds.setdefault(kind, {"kind": kind, "posts": 0, "places": 0, "placed": 0})

    def term_of(term: str) -> dict[str, Any]:
        return terms.setdefault(term, {"term": term, "posts": 0, "places": 0, "placed": 0, "seasons": {}})

    for row in posts:
        kind, term = kind_of(row["unit__kind"]), term_of(row["term"])
        for bucket in (kind, term):
            bucket["posts"] += row["posts"]
            bucket["places"] += row["places"] or 0
        if row["season"]:
            term["seasons"][row["season"]] = term["seasons"].get(row["season"], 0) + row["posts"]
    for row in placed_rows:
        kind_of(row["kind"])["placed"] += row["placed"]
        term_of(row["placed_term"])["placed"] += row["placed"]
        by_town.setdefault(row["town"], {"town": row["town"], "applicants": 0, "placed": 0})["placed"] += row["placed"]

    universities = sorted(by_university.items(), key=lambda item: (-item[1], item[0][0]))
    sizes = [g["size"] for g in groups]
    return {
        "version": FIGURES_VERSION,
        "applicants": funnel["applied"],
        "placed": placed["placed"],
        "funnel": [{"step": step, "students": funnel[step]} for step in FUNNEL_STEPS],
        "universities": {
            "count": len({name for name, _overseas in by_university}),
            "overseas": len({name for name, overseas in by_university if overseas}),
            "top": [
                {"name": name, "overseas": overseas, "applicants": n}
                for (name, overseas), n in universities[:TOP_UNIVERSITIES]
            ],
        },
        "unit_kinds": sorted(unit_kinds.values(), key=lambda r: (-r["posts"], r["kind"])),
        "towns": sorted(by_town.values(), key=lambda r: r["town"]),
        "terms": sorted(terms.values(), key=lambda r: r["term"], reverse=True),
        "groups": {
            "count": len(groups),
            "smallest": min(sizes, default=0),
            "largest": max(sizes, default=0),
            "list": groups,
        },
        "grades": [{"grade": g, "placements": placed[f"grade_{g}"]} for g in Grade.values],
    }


def _count_of(queryset: QuerySet[Any], group: str) -> Coalesce:
    counted = queryset.order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def cycles_overview() -> list[dict[str, Any]]:
    """Every cycle, oldest first, with its placed students and alumni answers: one query."""
    placements = Placement.objects.filter(post__cycle=OuterRef("pk")).exclude(status=PlacementStatus.CANCELLED)
    alumni = AlumniRecord.objects.filter(cycle=OuterRef("pk"))
    cycles = _rows(
        Cycle.objects.order_by("year")
        .annotate(
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
            "placed",
            "alumni_answered",
            "back_in_jinshan",
        )
    )
    return cycles


def growth_percent(current: int, previous: int | None) -> float | None:
    """The change from ``previous`` to ``current`` in per cent, one decimal (None without a base)."""
    if not previous:
        return None
    return round((current - previous) * 100 / previous, 1)


_GENERATION_KEY = "office:dashboard:generation"


def dashboard_figures(year: int | None = None) -> dict[str, Any] | None:
    """What the dashboard shows, counted at most every ``DASHBOARD_CACHE_SECONDS``.

    Counting a cycle's students groups every application and its history: far too much to
    do for each page view of a busy office, and too slow for anyone to wait for. The figures
    are kept with the time they were counted (the page shows it). Once they are older than
    ``DASHBOARD_CACHE_SECONDS`` the page still shows them and a worker counts them again
    (``dashboard_figures_recount_task``, once at a time); only the first view after staff ask
    for fresh figures (``dashboard_figures_refresh``) or after the cache lost them counts
    while the visitor waits.
    """
    key = _figures_key(year)
    data = cache.get(key)
    if data is None:
        return dashboard_figures_recount(year)
    old = (timezone.now() - data["computed_at"]).total_seconds() > settings.DASHBOARD_CACHE_SECONDS
    if old and cache.add(f"{key}:recounting", True, timeout=settings.DASHBOARD_CACHE_SECONDS):
        from placements.office.tasks import dashboard_figures_recount_task

        transaction.on_commit(partial(dashboard_figures_recount_task.delay, year))
    return cast(dict[str, Any] | None, data)


def dashboard_figures_recount(year: int | None = None) -> dict[str, Any] | None:
    """Count the figures of ``year`` (default the latest cycle) now and keep them."""
    key = _figures_key(year)
    data = dashboard_figures_compute(year)
    # Kept well past their age limit, so that a page shows them while a worker counts again.
    cache.set(key, data, timeout=settings.DASHBOARD_CACHE_SECONDS * 12)
    cache.delete(f"{key}:recounting")
    return data


def _figures_key(year: int | None) -> str:
    generation = cache.get_or_set(_GENERATION_KEY, 0, timeout=None)
    return f"office:dashboard:{generation}:{year or 'latest'}"


def dashboard_figures_refresh() -> None:
    """Forget every cached figure: the next page computes them from the data as it is now."""
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:  # expired or never set: a new generation starts from the next read
        cache.set(_GENERATION_KEY, 1, timeout=None)


def dashboard_figures_compute(year: int | None = None) -> dict[str, Any] | None:
    """Every cycle year over year, and the chosen cycle (``year``, default the latest) in
    detail — from its snapshot when it has one. None without cycles."""
    overview = cycles_overview()
    if not overview:
        return None
    snapshots = {
        row["cycle_id"]: row
        for row in CycleStatistics.objects.values("cycle_id", "taken_at", "figures__applicants", "figures__placed")
    }
    chosen = next((row for row in overview if row["year"] == year), overview[-1])
    snapshot = snapshots.get(chosen["pk"])
    if snapshot is not None:
        figures = CycleStatistics.objects.get(cycle_id=chosen["pk"]).figures
    else:
        figures = cycle_figures(Cycle(pk=chosen["pk"], registration_closes_at=chosen["registration_closes_at"]))
    # Applicants are counted for the cycles whose figures are not known already.
    applicants = _applicants_per_cycle([chosen["pk"], *snapshots])
    applicants[chosen["pk"]] = figures["applicants"]
    previous = None
    for row in overview:
        snapshot = snapshots.get(row["pk"])
        row["applicants"] = snapshot["figures__applicants"] if snapshot else applicants.get(row["pk"], 0)
        if snapshot is not None:
            row["placed"] = snapshot["figures__placed"]
        row["snapshot_at"] = snapshot["taken_at"] if snapshot else None
        row["previous_applicants"] = previous
        row["growth"] = growth_percent(row["applicants"], previous)
        previous = row["applicants"]
    return {"cycles": overview, "cycle": chosen, "figures": figures, "computed_at": timezone.now()}
