import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.module_loading import autodiscover_modules

from applicants.models import Application
from jinseed.devtools.bench import pages as bench
from positions.models import Cycle

pytestmark = pytest.mark.django_db


def table(out: io.StringIO) -> dict[str, list[str]]:
    """The printed table by page: [rows, queries, budget, verdict]."""
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["page", "rows", "queries", "budget", "verdict"]
    rows = {}
    for line in lines[1:]:
        name, _sep, rest = line.partition("  ")
        rows_, queries, budget, verdict = rest.split(maxsplit=3)
        rows[name.strip()] = [rows_, queries, budget, verdict]
    return rows


@pytest.fixture
def only_cases(monkeypatch):
    """Run the command on the given cases instead of the registered ones."""
    autodiscover_modules("bench")  # registers into the real list first, not into the stand-in

    def use(*cases):
        monkeypatch.setattr(bench, "CASES", list(cases))

    return use


def fake_case(*, budget: int, rows=(1, 2), sizes: list | None = None) -> bench.PageCase:
    """The anonymous post list (a few queries, whatever the rows), under a budget of our choosing."""

    def build(world, n):
        if sizes is not None:
            sizes.append(n)

    return bench.PageCase(
        name="Fake page",
        build=build,
        viewer=lambda w: None,
        url=lambda w: reverse("post_list"),
        budget=budget,
        rows=rows,
    )


def test_bench_queries_applies_each_page_budget_passes_and_leaves_no_rows():
    out = io.StringIO()
    call_command("bench_queries", stdout=out)
    pages = table(out)
    for name in ["Post list", "Post detail", "My applications", "My applications (offers, interviews)"]:
        assert pages[name][0::2] == ["1/200", "10"]
    for name in ["Coordinator: applicants of a post", "Coordinator: applicant page"]:
        assert pages[name][0::2] == ["1/300", "12"]
    assert {verdict for _rows, _queries, _budget, verdict in pages.values()} == {"ok"}
    assert Cycle.objects.count() == 0
    assert Application.objects.count() == 0


def test_bench_queries_fails_a_page_over_its_own_budget(only_cases):
    only_cases(fake_case(budget=1))
    out = io.StringIO()
    with pytest.raises(CommandError, match="Query budget exceeded: Fake page"):
        call_command("bench_queries", stdout=out)
    ((rows, queries, budget, verdict),) = table(out).values()
    few, many = map(int, queries.split("/"))
    assert few == many > 1
    assert (rows, budget, verdict) == ("1/2", "1", "FAIL: more than 1 queries")


def test_bench_queries_passes_a_page_within_its_own_budget(only_cases):
    only_cases(fake_case(budget=50))
    out = io.StringIO()
    call_command("bench_queries", stdout=out)
    ((rows, _queries, budget, verdict),) = table(out).values()
    assert (rows, budget, verdict) == ("1/2", "50", "ok")


def test_bench_queries_budget_and_rows_options_override_every_case(only_cases):
    sizes = []
    only_cases(fake_case(budget=1, sizes=sizes))
    out = io.StringIO()
    call_command("bench_queries", "--budget", "50", "--rows", "3", "4", stdout=out)
    ((rows, _queries, budget, verdict),) = table(out).values()
    assert (rows, budget, verdict) == ("3/4", "50", "ok")
    assert sizes == [3, 4]
    only_cases(fake_case(budget=50))
    with pytest.raises(CommandError, match="Fake page"):
        call_command("bench_queries", "--budget", "1", stdout=io.StringIO())


def test_bench_dashboard_prints_queries_and_seconds_per_cycle():
    from tests import factories
    from tests.placements.office.helpers import fill_cycle, make_cycle

    factories.StaffFactory()
    fill_cycle(make_cycle(2031), 5, placed=2)
    out = io.StringIO()
    # Seconds are the benchmark's to print, not a test's to judge: no time limit here.
    call_command("bench_dashboard", "--repeat", "1", "--seconds", "1000", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "applications on the database: 5"
    assert lines[1].split() == ["cycle", "counted:", "queries", "seconds", "kept:", "queries", "seconds", "verdict"]
    year, queries, _seconds, kept_queries, _kept_seconds, verdict = lines[2].split()
    assert (year, verdict) == ("2031", "ok")
    assert int(queries) <= 15
    assert int(kept_queries) < int(queries)


def test_bench_dashboard_fails_over_budget():
    from tests import factories
    from tests.placements.office.helpers import fill_cycle, make_cycle

    factories.StaffFactory()
    fill_cycle(make_cycle(2031), 2)
    with pytest.raises(CommandError, match="Dashboard over budget: 2031"):
        call_command("bench_dashboard", "--repeat", "1", "--budget", "3", "--seconds", "1000", stdout=io.StringIO())
