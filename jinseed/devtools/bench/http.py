"""``manage.py bench_http``: the throughput of pages on a running server, as visitors get it.

Against a server started the way production runs (gunicorn with ``deploy/gunicorn.conf.py``,
``DEBUG`` off; docs/performance.md, "Public pages"), ``clients`` threads each keep one HTTP
connection open and ask for one path again and again for ``seconds``; then the next path.
Each path gets its requests per second, the median and 95th percentile of its response
times, and its ratio to a *bare* page measured in the same run: ``/robots.txt``, a Django
view returning constant text through the whole middleware stack. The ratio says what a page
costs beyond what any request costs on this machine under this load, which absolute figures
on a shared machine cannot. The bare page is measured before and after the others, and the
mean of the two is the reference, so that a load that changes during the run shows (the two
are printed).

Against gunicorn, measure with sync workers (``GUNICORN_CMD_ARGS="--worker-class sync"``): a
``gthread`` process keeps a keep-alive connection to the end, so all of a path's connections
may land on one process and its rate halve at random, while a sync worker closes each
connection and the client's next one goes to whichever process is free.

Requests go without cookies (a first visit, anonymous, unless ``--as`` signs in) and with
``X-Forwarded-Proto: https`` by default, as nginx sends it: production settings redirect plain
HTTP otherwise. A response other than 200 counts as an error and is left out of the times.
"""

import http.client
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

DEFAULT_HEADERS = {"X-Forwarded-Proto": "https", "Accept-Language": "zh-CN"}


@dataclass
class PathRun:
    """What one path gave: the response times of its successful requests and its errors."""

    path: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def percentile_ms(self, q: float) -> float:
        return percentile(self.latencies, q) * 1000


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by nearest rank: the smallest value with at least
    ``q`` % of the values at or below it; 0.0 for no values."""
    if not values:
        return 0.0
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is not between 0 and 100")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def target(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path prefix) of ``--url``: http or https, a host, an optional port."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http:// or https:// address of a server")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, parts.hostname, port, parts.path.rstrip("/")


def quoted(path: str) -> str:
    """A path and query as sent on the wire: non-ASCII (a Chinese keyword) percent-encoded."""
    return quote(path, safe="/?&=%:+,;@")


def header_parse(line: str) -> tuple[str, str]:
    """``"Name: value"`` as a pair; refused without a name."""
    name, sep, value = line.partition(":")
    if not sep or not name.strip():
        raise ValueError(f"{line!r} is not a header (Name: value)")
    return name.strip(), value.strip()


def _connection(scheme: str, host: str, port: int, timeout: float) -> http.client.HTTPConnection:
    cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    return cls(host, port, timeout=timeout)


def drive(
    url: str,
    path: str,
    *,
    clients: int,
    seconds: float,
    headers: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> PathRun:
    """Ask ``clients`` concurrent keep-alive connections for ``path`` for ``seconds``."""
    scheme, host, port, prefix = target(url)
    wire_path = prefix + quoted(path)
    sent_headers = {**DEFAULT_HEADERS, **(headers or {})}
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)
    deadline = [0.0]
    results: list[PathRun] = []

    def client() -> None:
        mine = PathRun(path=path, seconds=seconds)
        conn = _connection(scheme, host, port, timeout)
        start_gate.wait()
        while time.perf_counter() < deadline[0]:
            began = time.perf_counter()
            try:
                conn.request("GET", wire_path, headers=sent_headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                mine.errors += 1
                conn.close()
                conn = _connection(scheme, host, port, timeout)
                continue
            elapsed = time.perf_counter() - began
            mine.statuses[response.status] = mine.statuses.get(response.status, 0) + 1
            if response.status == 200:
                mine.latencies.append(elapsed)
            else:
                mine.errors += 1
            if response.will_close:
                conn.close()
                conn = _connection(scheme, host, port, timeout)
        conn.close()
        with lock:
            results.append(mine)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start_gate.wait()
    for thread in threads:
        thread.join()
    total = PathRun(path=path, seconds=time.perf_counter() - began)
    for run in results:
        total.latencies.extend(run.latencies)
        total.errors += run.errors
        for status, count in run.statuses.items():
            total.statuses[status] = total.statuses.get(status, 0) + count
    return total


@dataclass(frozen=True)
class Row:
    path: str
    requests: int
    per_second: float
    p50_ms: float
    p95_ms: float
    ratio: float
    errors: int


@dataclass(frozen=True)
class Report:
    bare_path: str
    bare_before: PathRun
    bare_after: PathRun
    rows: list[Row]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]

    @property
    def bare_per_second(self) -> float:
        return (self.bare_before.per_second + self.bare_after.per_second) / 2


def measure(
    url: str,
    paths: Sequence[str],
    *,
    bare: str = "/robots.txt",
    clients: int = 4,
    seconds: float = 10.0,
    warmup: float = 1.0,
    headers: dict[str, str] | None = None,
    loadavg=None,
) -> Report:
    """Warm every path up, then the bare page, each path, the bare page again."""
    loadavg = loadavg or _loadavg
    for path in [bare, *paths]:
        if warmup > 0:
            drive(url, path, clients=clients, seconds=warmup, headers=headers)
    load_before = loadavg()
    before = drive(url, bare, clients=clients, seconds=seconds, headers=headers)
    runs = [drive(url, path, clients=clients, seconds=seconds, headers=headers) for path in paths]
    after = drive(url, bare, clients=clients, seconds=seconds, headers=headers)
    load_after = loadavg()
    reference = (before.per_second + after.per_second) / 2
    rows = [
        Row(
            path=run.path,
            requests=run.requests,
            per_second=run.per_second,
            p50_ms=run.percentile_ms(50),
            p95_ms=run.percentile_ms(95),
            ratio=run.per_second / reference if reference else 0.0,
            errors=run.errors,
        )
        for run in runs
    ]
    return Report(
        bare_path=bare,
        bare_before=before,
        bare_after=after,
        rows=rows,
        load_before=load_before,
        load_after=load_after,
    )


def _loadavg() -> tuple[float, float, float]:
    import os

    return os.getloadavg()


def report_lines(report: Report, *, clients: int, seconds: float) -> list[str]:
    """The report as printed: the bare reference, one line per path, the load average."""
    b1, b2 = report.bare_before, report.bare_after
    lines = [
        f"{clients} clients, {seconds:g} s per path; load average {_load(report.load_before)} before, "
        f"{_load(report.load_after)} after",
        f"bare {report.bare_path}: {b1.per_second:.1f} req/s before, {b2.per_second:.1f} after, "
        f"reference {report.bare_per_second:.1f} req/s; p50 {b1.percentile_ms(50):.1f} ms, "
        f"p95 {b1.percentile_ms(95):.1f} ms; errors {b1.errors + b2.errors}",
        f"{'path':<32} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>6} {'errors':>6}",
    ]
    lines += [
        f"{row.path:<32} {row.requests:>8} {row.per_second:>8.1f} {row.p50_ms:>8.1f} {row.p95_ms:>8.1f} "
        f"{row.ratio:>6.3f} {row.errors:>6}"
        for row in report.rows
    ]
    return lines


def _load(values: tuple[float, float, float]) -> str:
    return " ".join(f"{v:.2f}" for v in values)
