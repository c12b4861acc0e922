"""``manage.py bench_http``: its statistics, its arguments and a tiny run against a live server."""

import io

import pytest
from django.core.management import CommandError, call_command

from jinseed.devtools.bench.http import PathRun, Report, Row, header_parse, percentile, quoted, report_lines, target


@pytest.mark.parametrize(
    ("q", "expected"),
    [(0, 1.0), (10, 1.0), (50, 5.0), (90, 9.0), (95, 10.0), (100, 10.0)],
)
def test_percentile_by_nearest_rank(q, expected):
    assert percentile([float(v) for v in (7, 3, 10, 1, 5, 9, 2, 8, 6, 4)], q) == expected


def test_percentile_of_nothing_and_out_of_range():
    assert percentile([], 50) == 0.0
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_path_run_rates():
    run = PathRun(path="/", seconds=2.0, latencies=[0.010, 0.020, 0.030, 0.040])
    assert (run.requests, run.per_second, run.percentile_ms(50)) == (4, 2.0, 20.0)


def test_target_and_headers_parse():
    assert target("http://127.0.0.1:8712") == ("http", "127.0.0.1", 8712, "")
    assert target("https://portal.example.cn/jinseed/") == ("https", "portal.example.cn", 443, "/jinseed")
    assert header_parse("X-Forwarded-Proto: https") == ("X-Forwarded-Proto", "https")
    for bad in ("ftp://host", "127.0.0.1:8000"):
        with pytest.raises(ValueError):
            target(bad)
    with pytest.raises(ValueError):
        header_parse("no colon")


def test_quoted_encodes_a_chinese_keyword_only():
    assert quoted("/posts/?q=图书馆&term=long") == "/posts/?q=%E5%9B%BE%E4%B9%A6%E9%A6%86&term=long"


def test_report_lines_give_the_ratio_to_the_mean_of_the_bare_runs():
    bare_before = PathRun(path="/robots.txt", seconds=1.0, latencies=[0.001] * 100)
    bare_after = PathRun(path="/robots.txt", seconds=1.0, latencies=[0.001] * 300)
    report = Report(
        bare_path="/robots.txt",
        bare_before=bare_before,
        bare_after=bare_after,
        rows=[Row(path="/posts/", requests=50, per_second=50.0, p50_ms=20.0, p95_ms=40.0, ratio=0.25, errors=0)],
        load_before=(1.0, 2.0, 3.0),
        load_after=(1.5, 2.0, 3.0),
    )
    lines = report_lines(report, clients=2, seconds=1.0)
    assert report.bare_per_second == 200.0
    assert lines[0] == "2 clients, 1 s per path; load average 1.00 2.00 3.00 before, 1.50 2.00 3.00 after"
    assert "reference 200.0 req/s" in lines[1]
    assert lines[3].split() == ["/posts/", "50", "50.0", "20.0", "40.0", "0.250", "0"]


@pytest.mark.django_db(transaction=True)
def test_bench_http_tiny_run_against_a_live_server(live_server):
    from tests import factories

    factories.PostFactory(title="图书管理员", cycle=factories.CycleFactory())
    out = io.StringIO()
    call_command(
        "bench_http",
        url=live_server.url,
        paths=["/", "/posts/", "/posts/?q=图书"],
        clients=2,
        seconds=0.3,
        warmup=0.1,
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert lines[1].startswith("bare /robots.txt: ")
    assert lines[2].split() == ["path", "requests", "req/s", "p50", "ms", "p95", "ms", "ratio", "errors"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[3:]}
    assert list(rows) == ["/", "/posts/", "/posts/?q=图书"]
    for requests, _rate, _p50, _p95, ratio, errors in rows.values():
        assert int(requests) > 0
        assert float(ratio) > 0
        assert errors == "0"


@pytest.mark.django_db(transaction=True)
def test_bench_http_asks_as_a_signed_in_coordinator_and_leaves_no_session(live_server):
    from django.contrib.sessions.models import Session
    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests import factories

    coordinator = factories.CoordinatorFactory()
    post = factories.PostFactory(unit=coordinator.unit, cycle=factories.CycleFactory())
    path = reverse("placements:post_applicants", args=[post.pk])
    out = io.StringIO()
    call_command(
        "bench_http",
        url=live_server.url,
        paths=[path],
        as_email=coordinator.user.email,
        clients=1,
        seconds=0.3,
        warmup=0,
        stdout=out,
    )
    # Every request answered 200: a coordinator without the second factor would be sent to enrol (302).
    requests, *_rest, errors = out.getvalue().splitlines()[3].split()[1:]
    assert int(requests) > 0 and errors == "0"
    assert not Session.objects.exists()
    assert not TOTPDevice.objects.exists()


def test_bench_http_as_an_unknown_user_is_refused(db):
    with pytest.raises(CommandError, match=r"No user has the email nobody@example\.cn"):
        call_command("bench_http", url="http://127.0.0.1:9", as_email="nobody@example.cn", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_bench_http_fails_when_requests_fail(live_server):
    with pytest.raises(CommandError, match="request\\(s\\) failed"):
        call_command(
            "bench_http",
            url=live_server.url,
            paths=["/no-such-page/"],
            clients=1,
            seconds=0.2,
            warmup=0,
            stdout=io.StringIO(),
        )


def test_bench_http_refuses_a_bad_url():
    with pytest.raises(CommandError, match="not an http"):
        call_command("bench_http", url="127.0.0.1:8000", stdout=io.StringIO())
