"""Many rows through the ORM: ids named a batch at a time.

A list of ids goes into a query as ``filter(pk__in=batch)``, one placeholder per id. SQLite
refuses a statement with more variables than its limit (Django assumes 999), and a statement
of tens of thousands of placeholders is slow to build anyway, so callers holding many ids (an
allocation's offered applications, the recipients of a cycle's messages) query them in
batches of ``BATCH``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

#: Ids per ``pk__in`` batch: under SQLite's limit of variables per statement, with room for
#: the few other parameters of the query.
BATCH = 900


def id_batches(ids: Iterable[int], size: int | None = None) -> Iterator[list[int]]:
    """``ids`` without repeats, ascending, in lists of at most ``size`` (default ``BATCH``).

    Ascending, so that two transactions locking overlapping sets batch by batch take their
    row locks in the same order and queue instead of deadlocking.
    """
    size = size or BATCH
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]
