"""``manage.py setup_roles``: the programme staff group with exactly its permissions."""

from django.core.management.base import BaseCommand, CommandError

from jinseed.accounts.roles import PROGRAMME_STAFF_PERMISSIONS, role_groups_setup


class Command(BaseCommand):
    help = (
        "Create or correct the permission group of programme staff (jinseed/accounts/roles.py) so that it holds "
        "exactly the admin permissions staff need. Idempotent: run it after every migrate. Put staff accounts in "
        "the group (role 'programme staff', admin access on); keep superusers for the operator."
    )

    def handle(self, *args, **options):
        try:
            result = role_groups_setup()
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        for name, (added, removed) in result.items():
            self.stdout.write(
                f"Group “{name}”: {added} permission(s) added, {removed} removed "
                f"({sum(len(a) for a in PROGRAMME_STAFF_PERMISSIONS.values())} in all)."
            )
