"""Delivery benchmark: queue N notifications, deliver them with one worker to a loopback SMTP
sink, print messages per second, how many were lost or duplicated, the SMTP connections the
worker opened and the machine's load average (1 minute) before and after.

Needs a real broker (``CELERY_BROKER_URL``) and a database the worker process can open
(PostgreSQL, or the SQLite file). Bench rows and users are deleted afterwards unless
``--keep``.
"""

import os
import time
import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jinseed.accounts.models import User
from jinseed.devtools.bench.outbox import SmtpSink, Worker, broker_for_this_process, wait_for
from jinseed.notifications.enums import NotificationStatus
from jinseed.notifications.kinds import KINDS
from jinseed.notifications.models import Notification
from jinseed.notifications.services import notification_queue
from jinseed.notifications.tasks import notification_sweep


class Command(BaseCommand):
    help = "Measure notification delivery through a real worker to a loopback SMTP sink."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1000)
        parser.add_argument("--recipients", type=int, default=100)
        parser.add_argument("--concurrency", type=int, default=2, help="worker processes (prefork pool)")
        parser.add_argument("--timeout", type=int, default=900, help="seconds to wait for delivery")
        parser.add_argument("--keep", action="store_true", help="keep the bench rows and users")

    def handle(self, *args, count, recipients, concurrency, timeout, keep, **options):
        broker = settings.CELERY_BROKER_URL
        if not broker.startswith(("redis://", "rediss://")):
            raise CommandError("Set CELERY_BROKER_URL to a Redis URL: the benchmark needs a real broker and worker.")
        load_before = os.getloadavg()[0]
        run = uuid.uuid4().hex[:8]
        users = [
            User.objects.create(email=f"bench-{run}-{n}@bench.invalid", full_name=f"bench {n}", language="en")
            for n in range(recipients)
        ]
        context = KINDS["application_received"].example
        worker = None
        try:
            with SmtpSink() as sink, broker_for_this_process(broker):
                started = time.monotonic()
                ids: list[int] = []
                for start in range(0, count, 500):
                    with transaction.atomic():
                        for n in range(start, min(start + 500, count)):
                            rows = notification_queue(
                                recipient=users[n % recipients],
                                kind="application_received",
                                context=context,
                                event_key=f"bench:{run}:{n}",
                                channels=["email"],
                            )
                            ids.extend(row.pk for row in rows)
                queued_seconds = time.monotonic() - started
                self.stdout.write(f"queued {len(ids)} in {queued_seconds:.1f}s ({len(ids) / queued_seconds:.0f}/s)")

                worker_started = time.monotonic()
                worker = Worker(
                    broker_url=broker, smtp_port=sink.port, name=f"bench-{run}", pool="prefork", concurrency=concurrency
                )
                pending = Notification.objects.filter(pk__in=ids).exclude(status=NotificationStatus.SENT)
                last_sweep = [time.monotonic()]

                def sweep():
                    if time.monotonic() - last_sweep[0] > 30:
                        last_sweep[0] = time.monotonic()
                        notification_sweep()

                done = wait_for(lambda: not pending.exists(), timeout=timeout, interval=0.5, on_tick=sweep)
                wait_for(lambda: set(sink.received) >= set(ids), timeout=5)
                elapsed = time.monotonic() - worker_started
                received = dict(sink.received)
                connections = sink.connections
                busy = (sink.last_at - sink.first_at) if sink.first_at and sink.last_at else 0.0
        finally:
            if worker is not None:
                worker.stop()
            if not keep:
                Notification.objects.filter(event_key__startswith=f"bench:{run}:").delete()
                User.objects.filter(email__startswith=f"bench-{run}-").delete()
        lost = len(set(ids) - set(received))
        duplicated = sum(n - 1 for n in received.values())
        delivered = sum(1 for pk in ids if pk in received)
        self.stdout.write(
            f"delivered={delivered} in {elapsed:.1f}s since worker start "
            f"({delivered / elapsed:.0f} messages/second; {delivered / busy if busy else 0:.0f}/s between first and "
            f"last message) lost={lost} duplicated={duplicated} concurrency={concurrency} "
            f"smtp_connections={connections} load_average={load_before:.2f}→{os.getloadavg()[0]:.2f}"
        )
        if not done:
            raise CommandError(f"Not every row was SENT within {timeout}s: {worker.output() if worker else ''}")
