"""``manage.py allocate --cycle <id> [--dry-run]``: the district-wide stable allocation of a cycle.

Runs ``placements.selection.services.allocation_run``: the staff page's preview and
confirmation in one transaction. Students get the best posts they can get with no student and
unit both preferring each other to what they got, and the matched pairs get their offers, held
until the announcement time when one is set. ``--dry-run`` runs ``allocation_preview`` only (a
PREVIEWED round staff can still confirm from the page).
"""

import time

from django.core.management.base import BaseCommand, CommandError

from jinseed.errors import DomainError
from placements.selection.services import allocation_preview, allocation_run
from positions.models import Cycle


class Command(BaseCommand):
    help = "Allocate the interviewed and ranked students of a cycle to its posts (stable, student-optimal)."

    def add_arguments(self, parser):
        parser.add_argument("--cycle", type=int, required=True, help="The cycle's id.")
        parser.add_argument("--dry-run", action="store_true", help="Preview only: make no offer.")

    def handle(self, *args, cycle: int, dry_run: bool, **options):
        try:
            the_cycle = Cycle.objects.get(pk=cycle)
        except Cycle.DoesNotExist as exc:
            raise CommandError(f"No cycle with id {cycle}.") from exc
        started = time.perf_counter()
        try:
            allocation = (allocation_preview if dry_run else allocation_run)(cycle=the_cycle, actor=None)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            f"{the_cycle}: round {allocation.pk} {'previewed' if dry_run else 'confirmed'}; "
            f"students={allocation.students} posts={allocation.posts} places={allocation.places} "
            f"matched={allocation.matched} unplaced={allocation.unplaced_count}"
            + ("" if dry_run else f" offers_made={allocation.offers_made}")
        )
        self.stdout.write(f"seconds={time.perf_counter() - started:.2f}")
