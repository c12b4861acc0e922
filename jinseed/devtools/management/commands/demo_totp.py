"""``manage.py demo_totp <login>``: the code an account's authenticator shows now.

For the demo (docs/demo.md): a visitor signing in as staff or a coordinator without an
authenticator app asks the server for the current code. Development and demo only: the
command is installed with the dev tools (``DEVTOOLS``), never on a production portal.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from jinseed.accounts.models import User


class Command(BaseCommand):
    help = "Print the current second-factor code of a demo account (login: email or mobile number)."

    def add_arguments(self, parser):
        parser.add_argument("login", help="The account's email or mobile number, e.g. staff@jinseed.demo.")

    def handle(self, *args, login: str, **options):
        user = User.objects.filter(email__iexact=login.strip()).first() or User.objects.filter(mobile=login).first()
        if user is None:
            raise CommandError(f"No account “{login}”.")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()
        if device is None:
            raise CommandError(f"“{login}” has no authenticator: it sets one up at its next login.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        left = device.step - int(totp.time - device.t0) % device.step
        self.stdout.write(f"{totp.token():0{device.digits}d}")
        self.stderr.write(f"valid for {left} more second(s)")
