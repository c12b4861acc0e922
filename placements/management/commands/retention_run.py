"""``manage.py retention_run [--dry-run]``: the daily retention run, by hand (docs/features.md, "Retention")."""

from django.conf import settings
from django.core.management.base import BaseCommand

from placements.office.services import retention_cutoff, retention_preview, retention_run


class Command(BaseCommand):
    help = (
        "Store a statistics snapshot of every archived cycle whose placements ended more than RETENTION_YEARS "
        "ago, then anonymise its applications that led to no placement (free text and résumé) and the students "
        "with nothing else worth keeping. --dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be anonymised; change nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        self.stdout.write(
            f"Retention: {settings.RETENTION_YEARS} years; cycles that ended before {retention_cutoff()}."
        )
        rows = retention_preview() if dry_run else retention_run()
        if not rows:
            self.stdout.write("No cycle is due.")
        verb = "would anonymise" if dry_run else "anonymised"
        for row in rows:
            self.stdout.write(
                f"  {row['cycle']}: {verb} {row['applications']} applications, {row['resumes']} résumés, "
                f"{row['students']} students"
            )
