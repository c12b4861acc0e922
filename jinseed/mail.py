"""Mail on the site's own terms: every message the portal sends carries a ``Message-ID`` on the
site's domain (from ``SITE_URL``, not the host name of whatever machine runs the worker,
which spam filters hold against a sender) and a ``Reply-To`` to the programme office
(``REPLY_TO_EMAIL``), since the sender address is not read.

``SmtpBackend`` is the production backend; ``LoggingFileBackend`` the development one (each
message written to a file and announced in the log). The outbox's emails set the same
headers themselves (``jinseed.notifications.channels``), so they hold with any backend.
"""

import logging
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SmtpEmailBackend

logger = logging.getLogger("jinseed.mail")


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def site_message_id(idstring: str | None = None) -> str:
    return make_msgid(idstring=idstring, domain=site_domain())


def reply_to() -> list[str]:
    address = getattr(settings, "REPLY_TO_EMAIL", "")
    return [address] if address else []


def apply_site_headers(message) -> None:
    """Give ``message`` the site's Message-ID and Reply-To unless it has its own."""
    if not any(name.lower() == "message-id" for name in message.extra_headers):
        message.extra_headers["Message-ID"] = site_message_id()
    if not message.reply_to:
        message.reply_to = reply_to()


class SiteHeadersMixin:
    def send_messages(self, email_messages):
        for message in email_messages:
            apply_site_headers(message)
        return super().send_messages(email_messages)


class SmtpBackend(SiteHeadersMixin, SmtpEmailBackend):
    pass


class LoggingFileBackend(SiteHeadersMixin, FileEmailBackend):
    def write_message(self, message):
        super().write_message(message)
        logger.info("Mail to %s: %s (saved in %s)", ", ".join(message.to), message.subject, self._fname)
