"""Mainland mobile numbers never reach a log line in full.

``mask_mobile`` keeps the first three and the last four digits (``138****0001``): enough to
tell messages apart, not enough to call anyone. ``MaskMobilesFilter`` applies it to every
record a handler emits — the formatted message, the exception text and the stack — so a
number that slips into a log call anywhere (a library's message, a gateway's error body)
is masked too. ``jinseed.logconfig`` puts the filter on every handler: the web processes',
the Celery worker's (which logs through ``settings.LOGGING`` too) and gunicorn's.
"""

import logging
import re

#: An 11-digit mainland mobile, alone or after a +86 / 0086 / 86 prefix, not inside a
#: longer number.
MOBILE_RE = re.compile(r"(?:(?<!\d)|(?<=86))(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_mobile(text: str) -> str:
    """``text`` with every mainland mobile number in it masked."""
    return MOBILE_RE.sub(r"\1****\2", text)


class MaskMobilesFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_mobile(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_mobile(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_mobile(record.stack_info)
        return True
