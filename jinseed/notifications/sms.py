"""SMS delivery: a small interface with a logging backend for development."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class LoggingSmsBackend:
    def send(self, mobile: str | None, text: str) -> None:
        logger.info("SMS to %s: %s", mobile, text)


def get_sms_backend():
    return import_string(settings.SMS_BACKEND)()
