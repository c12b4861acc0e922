"""SMS delivery through a small interface: ``send(mobile, text)``.

``SMS_BACKEND`` names the class. The default, ``LoggingSmsBackend``, only writes the message
to the log (development, tests). ``HttpGatewaySmsBackend`` posts JSON to ``SMS_GATEWAY_URL``
with ``SMS_GATEWAY_TOKEN`` as a bearer token — the shape most Chinese SMS aggregators accept
behind a thin relay. A gateway error is *transient* (retried with back-off) when it is a
network error, a timeout, a 429 or a 5xx, and *permanent* (the row fails at once) otherwise.
"""

import json
import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

from jinseed.logmask import mask_mobile

from .errors import PermanentDeliveryError, TransientDeliveryError

logger = logging.getLogger(__name__)


class SmsBackend:
    def send(self, mobile: str, text: str) -> None:
        raise NotImplementedError


class LoggingSmsBackend(SmsBackend):
    """Development only: the number is masked, and the text is written only with DEBUG on
    (production refuses this backend unless ``SMS_ALLOW_LOGGING_BACKEND`` is set)."""

    def send(self, mobile: str, text: str) -> None:
        if settings.DEBUG:
            logger.info("SMS to %s: %s", mask_mobile(mobile), text)
        else:
            logger.info("SMS to %s (%s characters, not sent: logging backend)", mask_mobile(mobile), len(text))


class HttpGatewaySmsBackend(SmsBackend):
    timeout_seconds = 10

    def __init__(self, *, url: str | None = None, token: str | None = None, opener=None):
        self.url = url or settings.SMS_GATEWAY_URL
        self.token = token if token is not None else settings.SMS_GATEWAY_TOKEN
        if not self.url.startswith(("https://", "http://")):
            raise PermanentDeliveryError("SMS_GATEWAY_URL is not set to an http(s) URL")
        # ``opener`` is urllib's ``urlopen`` unless a test passes a fake one.
        self.opener = opener or urllib.request.urlopen

    def send(self, mobile: str, text: str) -> None:
        payload = json.dumps({"mobile": mobile, "text": text}, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.url,
            data=payload,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "Authorization": f"Bearer {self.token}"},
        )
        try:
            with self.opener(request, timeout=self.timeout_seconds) as response:
                status = response.status
                body = response.read(2000).decode(errors="replace")
        except urllib.error.HTTPError as exc:
            status, body = exc.code, exc.read(2000).decode(errors="replace") if exc.fp else ""
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise TransientDeliveryError(f"SMS gateway unreachable: {exc}") from exc
        if status == 429 or status >= 500:
            raise TransientDeliveryError(f"SMS gateway answered {status}: {body}")
        if status >= 400:
            raise PermanentDeliveryError(f"SMS gateway refused the message ({status}): {body}")
        logger.info("SMS to %s accepted by the gateway (%s)", mask_mobile(mobile), status)


def get_sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


class LocmemSmsBackend(SmsBackend):
    """Tests: every message is kept in ``LocmemSmsBackend.outbox`` as ``(mobile, text)``."""

    outbox: list[tuple[str, str]] = []

    def send(self, mobile: str, text: str) -> None:
        type(self).outbox.append((mobile, text))
