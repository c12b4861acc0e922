"""Reusable reads for cycles and posts."""

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from jinseed.accounts.models import User

from .enums import CycleStatus, PostStatus
from .models import Cycle, HostUnit, Post, UnitCoordinator


def cycle_current() -> Cycle | None:
    """The cycle students see now: the newest open one, else the newest that ran."""
    open_cycle = Cycle.objects.filter(status=CycleStatus.OPEN).order_by("-year").first()
    if open_cycle is not None:
        return open_cycle
    return Cycle.objects.exclude(status=CycleStatus.DRAFT).order_by("-year").first()


def cycle_current_among(cycles: list[Cycle]) -> Cycle | None:
    """``cycle_current`` picked from ``cycles_with_readable_posts()``, already read: the
    newest open cycle, else the newest."""
    return next((c for c in cycles if c.status == CycleStatus.OPEN), cycles[0] if cycles else None)


def post_list_published(*, cycle: Cycle | None = None) -> QuerySet[Post]:
    """Published posts of open cycles, with their unit and cycle loaded."""
    qs = Post.objects.filter(status=PostStatus.PUBLISHED, cycle__status=CycleStatus.OPEN)
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    return qs.select_related("unit", "cycle")


def cycle_post_counts(*, cycle: Cycle) -> dict[str, int]:
    counts = Post.objects.filter(cycle=cycle).aggregate(
        published=Count("id", filter=Q(status=PostStatus.PUBLISHED)),
        total=Count("id"),
    )
    return counts


# --- Public post list and detail (what students browse) ------------------------------------


# A post stays readable once published: after its registration closed, while its students
# are placed and after the cycle is archived (a placed student reads their post). Only
# drafts, proposals and posts of a cycle still in preparation stay private.
READABLE_POST_STATUSES = (PostStatus.PUBLISHED, PostStatus.CLOSED)


def _posts_readable() -> QuerySet[Post]:
    return (
        Post.objects.filter(status__in=READABLE_POST_STATUSES)
        .exclude(cycle__status=CycleStatus.DRAFT)
        .select_related("unit", "cycle")
    )


def cycles_with_readable_posts() -> QuerySet[Cycle]:
    """The cycles whose posts anyone may browse, newest first (the list's cycle choice)."""
    return cycles_newest_first().exclude(status=CycleStatus.DRAFT)


def post_list_public(*, cycle: Cycle | None = None) -> QuerySet[Post]:
    """The posts anyone may browse: published and closed posts of ``cycle`` (default: the
    current one), once that cycle has been opened."""
    cycle = cycle or cycle_current()
    if cycle is None or cycle.status == CycleStatus.DRAFT:
        return Post.objects.none()
    return _posts_readable().filter(cycle=cycle).order_by("unit__name", "title", "pk")


#: A keyword matching more units than this is looked up by a join instead of by their ids.
KEYWORD_UNIT_IDS_MAX = 500


def post_keyword_match(value: str) -> Q:
    """Posts whose title, description, duties or unit name contain ``value``, ignoring case.

    ``icontains`` is what the trigram indexes serve (``models.keyword_index``). The units are
    looked up first and named by id: a condition on the posts' own columns alone lets
    PostgreSQL combine the four indexes, where a join would read every post of the cycle. A
    keyword as general as to match hundreds of units falls back to the join.
    """
    unit_ids = list(
        HostUnit.objects.filter(name__icontains=value).values_list("pk", flat=True)[: KEYWORD_UNIT_IDS_MAX + 1]
    )
    by_unit = Q(unit_id__in=unit_ids) if len(unit_ids) <= KEYWORD_UNIT_IDS_MAX else Q(unit__name__icontains=value)
    return Q(title__icontains=value) | Q(description__icontains=value) | Q(duties__icontains=value) | by_unit


def post_get_public(*, pk: int) -> Post | None:
    """One post as anyone may read it (see ``READABLE_POST_STATUSES``), or None."""
    return _posts_readable().filter(pk=pk).first()


def post_get_open(*, pk: int) -> Post | None:
    """One post students may apply to now: published in an open cycle (the window and the
    student's eligibility are checked by the application's service)."""
    return post_list_published().filter(pk=pk).first()


def coordinator_with_unit(*, user: User) -> UnitCoordinator | None:
    """The user's coordinator record and its unit, in one query (``None`` if they have none)."""
    return UnitCoordinator.objects.select_related("unit").filter(user=user).first()


def cycles_newest_first() -> QuerySet[Cycle]:
    return Cycle.objects.order_by("-year")


def cycle_by_year(*, year: int) -> Cycle:
    """The cycle of ``year`` (404 when there is none)."""
    return get_object_or_404(Cycle, year=year)
