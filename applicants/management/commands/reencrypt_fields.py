"""``manage.py reencrypt_fields``: move every encrypted value to the current key.

The step of a key rotation (docs/settings.md, FIELD_ENCRYPTION_KEYS): put the new key first,
keep the old one after it, deploy, run this, then drop the old key.
"""

from django.core.management.base import BaseCommand, CommandError

from applicants.services import student_id_numbers_reencrypt


class Command(BaseCommand):
    help = "Encrypt every stored ID number again with the first key of FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        counts = student_id_numbers_reencrypt(batch_size=batch_size)
        self.stdout.write(
            "student ID numbers: {reencrypted} re-encrypted, {current} already under the current key, "
            "{empty} empty, {unreadable} unreadable".format(**counts)
        )
        if counts["unreadable"]:
            raise CommandError(
                f"{counts['unreadable']} ID number(s) open with none of FIELD_ENCRYPTION_KEYS: put back the key "
                "they were encrypted with (after the current one) and run this again."
            )
