"""Development mail backend: each message is written to a file and announced in the log."""

import logging

from django.core.mail.backends.filebased import EmailBackend

logger = logging.getLogger("jinseed.mail")


class LoggingFileBackend(EmailBackend):
    def write_message(self, message):
        super().write_message(message)
        logger.info("Mail to %s: %s (saved in %s)", ", ".join(message.to), message.subject, self._fname)
