"""``manage.py bench_http``: pages' throughput on a running server against a bare Django view
(see ``jinseed.devtools.bench.http``)."""

from contextlib import ExitStack

from django.core.management.base import BaseCommand, CommandError

from jinseed.accounts.models import User
from jinseed.devtools.bench.http import header_parse, measure, report_lines, target
from jinseed.devtools.bench.signin import signed_in

DEFAULT_PATHS = ["/", "/posts/", "/posts/?q=图书馆"]


class Command(BaseCommand):
    help = (
        "Drive each --path of the server at --url with --clients concurrent keep-alive connections for --seconds, "
        "and print requests per second, p50/p95 response times and the ratio to the bare page (--bare, "
        "/robots.txt) measured before and after in the same run. Exit 1 if any request failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", required=True, help="The running server, e.g. http://127.0.0.1:8000.")
        parser.add_argument(
            "--path",
            action="append",
            dest="paths",
            help=f"A path to measure (repeatable; default: {' '.join(DEFAULT_PATHS)}).",
        )
        parser.add_argument("--bare", default="/robots.txt", help="The reference page (default /robots.txt).")
        parser.add_argument("--clients", type=int, default=4, help="Concurrent connections (default 4).")
        parser.add_argument("--seconds", type=float, default=10.0, help="Seconds per path (default 10).")
        parser.add_argument("--warmup", type=float, default=1.0, help="Seconds of warm-up per path (default 1).")
        parser.add_argument(
            "--header",
            action="append",
            default=[],
            help="An extra request header, 'Name: value' (repeatable; X-Forwarded-Proto: https is sent by default).",
        )
        parser.add_argument(
            "--as",
            dest="as_email",
            metavar="EMAIL",
            help=(
                "Ask as this existing user, signed in with the second factor passed: a session made in the server's "
                "database (run with its DATABASE_URL and SECRET_KEY) and deleted afterwards. The bare page is then "
                "asked as them too."
            ),
        )

    def handle(self, *args, url, paths, bare, clients, seconds, warmup, header, as_email, **options):
        try:
            target(url)
            headers = dict(header_parse(line) for line in header)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if clients < 1 or seconds <= 0:
            raise CommandError("Use at least 1 client and more than 0 seconds.")
        with ExitStack() as stack:
            if as_email:
                try:
                    headers["Cookie"] = stack.enter_context(signed_in(as_email))
                except User.DoesNotExist as exc:
                    raise CommandError(f"No user has the email {as_email}.") from exc
            report = measure(
                url, paths or DEFAULT_PATHS, bare=bare, clients=clients, seconds=seconds, warmup=warmup, headers=headers
            )
        for line in report_lines(report, clients=clients, seconds=seconds):
            self.stdout.write(line)
        failed = report.bare_before.errors + report.bare_after.errors + sum(row.errors for row in report.rows)
        if failed or not report.bare_before.requests:
            statuses = {**report.bare_before.statuses}
            raise CommandError(
                f"{failed} request(s) failed (statuses of the bare page: {statuses}); is --url right and "
                "the host in ALLOWED_HOSTS?"
            )
