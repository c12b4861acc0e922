"""Erase now the accounts whose deletion request is past its grace period (the beat task's work)."""

from django.core.management.base import BaseCommand

from placements.privacy.services.deletion import deletion_due_run


class Command(BaseCommand):
    help = "Erase the accounts whose deletion request is past its grace period."

    def handle(self, *args, **options):
        count = deletion_due_run()
        self.stdout.write(f"erased {count} account(s)")
