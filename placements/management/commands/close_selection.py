"""``manage.py close_selection --cycle <id>``: end the selection of a cycle.

Runs ``placements.selection.services.cycle_selection_close`` (the same as the button on the staff
selection overview): open offers lapse, applications still in the running end, and every
student left without a place gets one "not selected" message, held until the announcement
time when one is set.
"""

from django.core.management.base import BaseCommand, CommandError

from jinseed.errors import DomainError
from placements.selection.services import cycle_selection_close
from positions.models import Cycle


class Command(BaseCommand):
    help = "Close the selection of a cycle: lapse open offers, end open applications, tell students not selected."

    def add_arguments(self, parser):
        parser.add_argument("--cycle", type=int, required=True, help="The cycle's id.")

    def handle(self, *args, cycle: int, **options):
        try:
            the_cycle = Cycle.objects.get(pk=cycle)
        except Cycle.DoesNotExist as exc:
            raise CommandError(f"No cycle with id {cycle}.") from exc
        try:
            counts = cycle_selection_close(cycle=the_cycle, actor=None)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            f"{the_cycle}: selection closed; offers_lapsed={counts['offers_lapsed']} "
            f"applications_ended={counts['applications_ended']} students_told={counts['students_told']}"
        )
