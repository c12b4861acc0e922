"""``manage.py bench_dashboard``: the statistics dashboard on the current database.

Opens ``/office/`` (each cycle, or the one given) as a programme staff account, as the browser
would, and reports the SQL queries and the seconds the request took: the best of a few runs
after one warm-up, so a cold cache does not count, against the query budget and the time the
command allows (``--budget``, ``--seconds``) on ``seed_demo --students 100000 --posts 10000``.
"""

import time
from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from jinseed.accounts.enums import Role
from jinseed.accounts.models import User
from jinseed.devtools.signin import verified_client
from positions.models import Cycle


@dataclass(frozen=True)
class DashboardRun:
    year: int
    queries: int
    seconds: float
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
            client.get(url, {"cycle": year})  # warm up
            best, count, status = None, 0, 0
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(url, {"cycle": year})
                    elapsed = time.perf_counter() - started
                best = elapsed if best is None else min(best, elapsed)
                count, status = len(queries), response.status_code
            runs.append(DashboardRun(year=year, queries=count, seconds=best, status=status))
    return runs
