"""``manage.py run_periodic``: the beat schedule for the development portal without Redis.

``make run`` starts it beside the development server and stops it with the server. Each due
task of ``CELERY_BEAT_SCHEDULE`` runs in this process (jinseed.periodic). With a real broker
it refuses to start: ``celery -A jinseed beat`` sends the schedule to the workers there.
"""

import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jinseed.periodic import PeriodicRunner


class Command(BaseCommand):
    help = "Run the periodic tasks (CELERY_BEAT_SCHEDULE) in this process, for development without Redis."

    def add_arguments(self, parser):
        parser.add_argument("--max-sleep", type=float, default=30.0, help="Longest wait between two looks.")

    def handle(self, *args, max_sleep: float, **options):
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError("A broker is configured (CELERY_BROKER_URL): run `celery -A jinseed beat` instead.")
        runner = PeriodicRunner(settings.CELERY_BEAT_SCHEDULE, clock=timezone.now)
        parent = os.getppid()
        self.stdout.write(f"Running {len(runner.entries)} periodic task(s) in this process.")
        try:
            while os.getppid() == parent:  # the server that started us is gone: so are we
                time.sleep(max(0.5, min(runner.tick(), max_sleep)))
        except KeyboardInterrupt:
            pass
