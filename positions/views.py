from django.conf import settings
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property

from jinseed.pagination import page_number, page_with_count

from .filters import PostPublicFilter
from .models import Cycle
from .pagecache import public_pages_version
from .selectors import (
    cycle_current,
    cycle_current_among,
    cycle_post_counts,
    cycles_with_readable_posts,
    post_get_public,
    post_list_public,
)


class HomeFacts:
    """What the home page's cached section shows, read only when that section is rendered
    (``positions.pagecache``): the current cycle and the count of its published posts, which
    reads every post of the cycle. A kept section needs neither."""

    @cached_property
    def cycle(self) -> Cycle | None:
        return cycle_current()

    @cached_property
    def published_posts(self) -> int:
        return cycle_post_counts(cycle=self.cycle)["published"] if self.cycle else 0


def home(request):
    """The front page: the current cycle, its deadlines and how many posts it offers."""
    return render(
        request,
        "positions/home.html",
        {
            "facts": HomeFacts(),
            "pages_version": public_pages_version(),
            "cache_seconds": settings.PUBLIC_PAGES_CACHE_SECONDS,
        },
    )


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
    current = cycle_current_among(cycles)
    cycle = current
    asked = request.GET.get("cycle", "")
    if asked.isdigit():
        cycle = next((c for c in cycles if c.year == int(asked)), None)
        if cycle is None:
            raise Http404
    post_filter = PostPublicFilter(
        request.GET or None, queryset=post_list_public(cycle=cycle), year_of_study=_student_year(request)
    )
    # The page and its total in one query, made only when the list is rendered: a list kept
    # in the cache (see ``_list_cache_key``) needs neither.
    page = SimpleLazyObject(lambda: page_with_count(post_filter.qs, request.GET.get("page"), POSTS_PER_PAGE))
    # The pages' links keep the list's own parameters, nothing else of the query string.
    known = {"cycle", *post_filter.filters}
    query = QueryDict(mutable=True)
    for name in request.GET:
        if name in known:
            query.setlist(name, request.GET.getlist(name))
    filtered = any(request.GET.get(name, "").strip() for name in post_filter.filters)
    registration_open = cycle is not None and cycle.registration_is_open()
    registration_upcoming = cycle is not None and cycle.is_open and timezone.now() < cycle.registration_opens_at
    return render(
        request,
        "positions/post_list.html",
        {
            "cycle": cycle,
            "cycles": [c for c in cycles if c != cycle],
            "is_current": cycle == current,
            "registration_open": registration_open,
            "registration_upcoming": registration_upcoming,
            "filtered": filtered,
            "filter": post_filter,
            "page": page,
            "query": query.urlencode(),
            "list_cache_key": _list_cache_key(
                request,
                post_filter,
                "open" if registration_open else "upcoming" if registration_upcoming else "closed",
            ),
            "cache_seconds": settings.PUBLIC_PAGES_CACHE_SECONDS,
        },
    )


def _list_cache_key(request, post_filter: PostPublicFilter, registration: str) -> str:
    """What the cached post list varies on besides the cycle and the language (which the
    template adds): the data's version, whether registration is open, upcoming or closed (it
    changes with the clock alone, and the page says so), the filters it knows (nothing else
    of the query string, so that stray parameters make no new entries), the page and the
    student's year (which shows "fits my year" and filters by it). Empty for a keyword search:
    every keyword would be an entry of its own, and the trigram indexes answer it in one
    query."""
    if request.GET.get("q", "").strip():
        return ""
    filters = [f"{name}={request.GET.get(name, '')}" for name in sorted(post_filter.filters)]
    return "|".join(
        [
            str(public_pages_version()),
            registration,
            *filters,
            f"page={page_number(request.GET.get('page'))}",
            f"year={post_filter.year_of_study or ''}",
        ]
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
