"""A list's page and its total in one query.

Django's ``Paginator`` counts (``SELECT COUNT(*)``) and then reads the page, two passes over
the same filter: twice the work for a keyword search that has to look at every matching row.
``page_with_count`` reads the page with the total as a window aggregate (``COUNT(*) OVER ()``,
computed before ``LIMIT``), the same on PostgreSQL and SQLite. A page past the end has no row
to carry the total: that rare case counts once and reads the last page, as
``Paginator.get_page`` would show it.
"""

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

TOTAL = "_page_total"
#: Larger page numbers are read as this one (past the end of any list, so the last page):
#: their offset would overflow the database's integers.
MAX_PAGE = 1_000_000


def page_number(raw: Any) -> int:
    """``?page=`` as a page number: anything that is not a positive whole number is page 1,
    anything beyond ``MAX_PAGE`` is ``MAX_PAGE``."""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def page_with_count(queryset: QuerySet[Any], number: Any, per_page: int) -> Page:
    """Page ``number`` (a raw ``?page=`` value) of the ordered ``queryset`` and its paginator,
    whose ``count`` is already known: one query, or three for a page past the end."""
    number = page_number(number)
    paginator = Paginator(queryset, per_page)
    counted = queryset.annotate(**{TOTAL: Window(Count("pk"))})
    start = (number - 1) * per_page
    rows = list(counted[start : start + per_page])
    if rows:
        paginator.count = getattr(rows[0], TOTAL)  # a cached_property: known, not counted
    elif number == 1:
        paginator.count = 0
    else:
        paginator.count = queryset.count()
        number = paginator.num_pages
        start = (number - 1) * per_page
        rows = list(counted[start : start + per_page])
    return Page(rows, number, paginator)
