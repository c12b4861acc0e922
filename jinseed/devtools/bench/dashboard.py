"""``manage.py bench_dashboard``: the statistics dashboard on the current database.

Opens ``/office/`` (each cycle, or the one given) as a programme staff account, as the browser
would, and reports the SQL queries and the seconds the request took, best of a few runs:
once with the figures counted afresh (what staff wait for after asking to count again now;
old figures are counted again by a worker while the page shows them) and once with the
figures kept in the cache (what every other view waits for).
"""

import time
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from jinseed.accounts.enums import Role
from jinseed.accounts.models import User
from jinseed.devtools.signin import verified_client
from placements.office.selectors import dashboard_figures_refresh
from positions.models import Cycle


@dataclass(frozen=True)
class DashboardRun:
    year: int
    queries: int
    seconds: float
    kept_queries: int
    kept_seconds: float
    status: int


def staff_viewer() -> User:
    viewer = User.objects.filter(role=Role.STAFF, is_active=True).order_by("pk").first()
    if viewer is None:
        raise LookupError("No active programme staff account: seed the demo first.")
    return viewer


def dashboard_measure(*, years: list[int] | None = None, repeat: int = 3) -> list[DashboardRun]:
    viewer = staff_viewer()
    years = years or list(Cycle.objects.order_by("year").values_list("year", flat=True))
    runs = []
    with override_settings(ALLOWED_HOSTS=["testserver"], AXES_ENABLED=False):
        client = verified_client(viewer)
        url = reverse("office:dashboard")
        for year in years:
            client.get(url, {"cycle": year})  # warm up the database's own caches
            counted = [_timed(client, url, year, refresh=True) for _ in range(repeat)]
            kept = [_timed(client, url, year, refresh=False) for _ in range(repeat)]
            runs.append(
                DashboardRun(
                    year=year,
                    queries=counted[-1][0],
                    seconds=min(s for _q, s, _st in counted),
                    kept_queries=kept[-1][0],
                    kept_seconds=min(s for _q, s, _st in kept),
                    status=max(st for _q, _s, st in counted + kept),
                )
            )
    return runs


def _timed(client: Client, url: str, year: int, *, refresh: bool) -> tuple[int, float, int]:
    if refresh:
        dashboard_figures_refresh()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url, {"cycle": year})
        elapsed = time.perf_counter() - started
    return len(queries), elapsed, response.status_code
