"""``manage.py form_groups --cycle <id> [--dry-run] [--replace]``: the cycle's groups (小组).

Prints the proposal of ``placements.cultivation.grouping.propose_groups`` (balanced groups of 10–15, the
same town and unit kept together) and saves it unless ``--dry-run``. Staff then adjust the
groups and choose leaders in the admin.
"""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from jinseed.errors import DomainError
from placements.cultivation import services as cultivation
from positions.models import Cycle


class Command(BaseCommand):
    help = "Propose the cycle's groups of 10-15 placed students and save them (unless --dry-run)."

    def add_arguments(self, parser):
        parser.add_argument("--cycle", type=int, required=True, help="The cycle's id.")
        parser.add_argument("--dry-run", action="store_true", help="Print the proposal, save nothing.")
        parser.add_argument("--replace", action="store_true", help="Replace the cycle's existing groups.")

    def handle(self, *args, cycle: int, dry_run: bool, replace: bool, **options):
        try:
            the_cycle = Cycle.objects.get(pk=cycle)
        except Cycle.DoesNotExist as exc:
            raise CommandError(f"No cycle with id {cycle}.") from exc
        proposal = cultivation.groups_propose(cycle=the_cycle)
        total = sum(len(g) for g in proposal)
        self.stdout.write(f"{the_cycle}: {total} placed students in {len(proposal)} groups")
        for number, members in enumerate(proposal, start=1):
            towns = Counter(p.post.unit.get_town_display() for p in members)
            units = len({p.post.unit_id for p in members})
            top = ", ".join(f"{town} {n}" for town, n in towns.most_common(3))
            self.stdout.write(f"  group {number:>2}: {len(members):>2} students, {units:>2} units; {top}")
        if dry_run:
            self.stdout.write("Dry run: nothing saved.")
            return
        try:
            groups = cultivation.groups_form(cycle=the_cycle, replace=replace)
        except DomainError as exc:
            raise CommandError(f"{exc.message} (use --replace to start again)") from exc
        self.stdout.write(self.style.SUCCESS(f"Saved {len(groups)} groups."))
