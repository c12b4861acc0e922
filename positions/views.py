from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from .filters import PostPublicFilter
from .selectors import (
    cycle_current,
    cycle_post_counts,
    cycles_with_readable_posts,
    post_get_public,
    post_list_public,
)


def home(request):
    """The front page: the current cycle, its deadlines and how many posts it offers."""
    cycle = cycle_current()
    counts = cycle_post_counts(cycle=cycle) if cycle else {"published": 0, "total": 0}
    return render(request, "positions/home.html", {"cycle": cycle, "published_posts": counts["published"]})


# --- Public post list and detail (students) ------------------------------------------------

POSTS_PER_PAGE = 20


def _student_year(request) -> int | None:
    """The visitor's year of study, when they are a student with a profile."""
    user = request.user
    if not user.is_authenticated or not user.is_student:
        return None
    profile = getattr(user, "student_profile", None)  # reverse relation: no import of applicants
    return profile.year_of_study if profile is not None else None


def post_list(request):
    """The posts of the current cycle (or of the cycle of ``?cycle=<year>``), filtered and
    paginated; once registration has closed they stay readable and the page says so."""
    cycles = list(cycles_with_readable_posts())
    current = cycle_current()
    cycle = current
    asked = request.GET.get("cycle", "")
    if asked.isdigit():
        cycle = next((c for c in cycles if c.year == int(asked)), None)
        if cycle is None:
            raise Http404
    post_filter = PostPublicFilter(
        request.GET or None, queryset=post_list_public(cycle=cycle), year_of_study=_student_year(request)
    )
    paginator = Paginator(post_filter.qs, POSTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    filtered = any(value for key, value in request.GET.items() if key not in ("page", "cycle"))
    return render(
        request,
        "positions/post_list.html",
        {
            "cycle": cycle,
            "cycles": [c for c in cycles if c != cycle],
            "is_current": cycle == current,
            "registration_open": cycle is not None and cycle.registration_is_open(),
            "registration_upcoming": cycle is not None
            and cycle.is_open
            and timezone.now() < cycle.registration_opens_at,
            "filtered": filtered,
            "filter": post_filter,
            "page": page,
            "query": query.urlencode(),
        },
    )


def post_detail(request, pk: int):
    post = post_get_public(pk=pk)
    if post is None:
        raise Http404
    cycle = post.cycle
    return render(
        request,
        "positions/post_detail.html",
        {"post": post, "cycle": cycle, "registration_open": post.is_published and cycle.registration_is_open()},
    )
