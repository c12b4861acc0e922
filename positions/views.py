from django.shortcuts import render

from .selectors import cycle_current, cycle_post_counts


def home(request):
    """The front page: the current cycle, its deadlines and how many posts it offers."""
    cycle = cycle_current()
    counts = cycle_post_counts(cycle=cycle) if cycle else {"published": 0, "total": 0}
    return render(request, "positions/home.html", {"cycle": cycle, "published_posts": counts["published"]})
