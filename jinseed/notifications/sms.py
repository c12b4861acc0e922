"""SMS delivery: ``backend.send(mobile, message)`` with an ``SmsMessage`` (kind, variables, text).

``SMS_BACKEND`` names the class:

* ``LoggingSmsBackend`` (development): writes to the log what each provider would be sent —
  the template code and its variables — and the text;
* ``AlibabaSmsBackend`` and ``TencentSmsBackend``: the providers' official SDKs, sending the
  registered signature (``SMS_SIGN_NAME``) and the template registered for the message's kind
  (``SMS_TEMPLATES``) with its variables (see ``sms_templates`` and ``docs/sms.md``);
* ``HttpGatewaySmsBackend``: posts ``{mobile, text}`` as JSON to ``SMS_GATEWAY_URL`` (a relay
  that sends free text, where the district runs one).

``send`` returns the provider's message id (Alibaba's BizId, Tencent's SerialNo; empty when
there is none), which the outbox keeps on the row. A failure is *transient*
(``TransientDeliveryError``: network, throttling, the provider's own errors — retried with
back-off) or *permanent* (``PermanentDeliveryError``: a bad number, a template or signature
not approved, bad variables — the row fails at once).
"""

import json
import logging
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

from jinseed.logmask import mask_mobile

from .errors import PermanentDeliveryError, TransientDeliveryError
from .sms_templates import SmsMessage, params_within

logger = logging.getLogger(__name__)


class SmsBackend:
    def send(self, mobile: str, message: SmsMessage) -> str:
        raise NotImplementedError


class LoggingSmsBackend(SmsBackend):
    """Development only: the number is masked, and the words are written only with DEBUG on
    (production refuses this backend unless ``SMS_ALLOW_LOGGING_BACKEND`` is set). With DEBUG
    on it also shows what a template provider would be sent: the template code and variables."""

    def send(self, mobile: str, message: SmsMessage) -> str:
        if not settings.DEBUG:
            logger.info("SMS to %s (%s characters, not sent: logging backend)", mask_mobile(mobile), len(message.text))
            return ""
        logger.info("SMS to %s: %s", mask_mobile(mobile), message.text)
        if message.kind:
            template = sms_template_codes().get(message.kind, "(not set)")
            for backend in (AlibabaSmsBackend, TencentSmsBackend):
                params = params_within(message, limit=backend.param_limit())
                shown = params if backend is AlibabaSmsBackend else list(params.values())
                logger.info(
                    "SMS via %s: template %s (%s), variables %s",
                    backend.provider,
                    template,
                    message.kind,
                    json.dumps(shown, ensure_ascii=False),
                )
        return ""


class HttpGatewaySmsBackend(SmsBackend):
    timeout_seconds = 10

    def __init__(self, *, url: str | None = None, token: str | None = None, opener=None):
        self.url = url or settings.SMS_GATEWAY_URL
        self.token = token if token is not None else settings.SMS_GATEWAY_TOKEN
        if not self.url.startswith(("https://", "http://")):
            raise PermanentDeliveryError("SMS_GATEWAY_URL is not set to an http(s) URL")
        # ``opener`` is urllib's ``urlopen`` unless a test passes a fake one.
        self.opener = opener or urllib.request.urlopen

    def send(self, mobile: str, message: SmsMessage) -> str:
        payload = json.dumps({"mobile": mobile, "text": message.text}, ensure_ascii=False).encode()
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
        return ""


def sms_template_codes() -> dict[str, str]:
    """``SMS_TEMPLATES``: message kind → the template code registered with the provider."""
    return dict(getattr(settings, "SMS_TEMPLATES", {}) or {})


def _split_endpoint(endpoint: str, default_host: str) -> tuple[str, str]:
    """``(protocol, host)`` of ``SMS_ENDPOINT`` (a host, or a URL to reach a test server over http)."""
    if "://" in endpoint:
        parsed = urllib.parse.urlsplit(endpoint)
        return parsed.scheme, parsed.netloc
    return "https", endpoint or default_host


class TemplateSmsBackend(SmsBackend):
    """A provider that sends a registered signature and template with variables.

    ``retry_codes`` are the provider's error codes worth retrying (throttling, the provider's
    own faults); a code starting with one of ``retry_prefixes`` is retried too; every other
    refusal (bad number, template or signature not approved, bad variables) fails the row.
    """

    provider = ""
    default_param_limit = 35
    retry_codes: frozenset[str] = frozenset()
    retry_prefixes: tuple[str, ...] = ()

    def __init__(self):
        self.templates = sms_template_codes()
        self.sign_name = settings.SMS_SIGN_NAME
        self.timeout_seconds = getattr(settings, "SMS_TIMEOUT_SECONDS", 10)
        if not (settings.SMS_ACCESS_KEY_ID and settings.SMS_ACCESS_KEY_SECRET and self.sign_name):
            raise PermanentDeliveryError(
                f"{self.provider}: SMS_ACCESS_KEY_ID, SMS_ACCESS_KEY_SECRET and SMS_SIGN_NAME must be set"
            )

    @classmethod
    def param_limit(cls) -> int:
        return getattr(settings, "SMS_PARAM_MAX_LENGTH", 0) or cls.default_param_limit

    def template_for(self, message: SmsMessage) -> str:
        code = self.templates.get(message.kind)
        if not message.kind or not code:
            raise PermanentDeliveryError(f"{self.provider}: no template code set for {message.kind or 'free text'!r}")
        return code

    def refusal(self, code: str, detail: str) -> Exception:
        text = f"{self.provider} answered {code}: {detail}"
        if code in self.retry_codes or code.startswith(self.retry_prefixes):
            return TransientDeliveryError(text)
        return PermanentDeliveryError(text)


class AlibabaSmsBackend(TemplateSmsBackend):
    """Alibaba Cloud SMS (短信服务, Dysmsapi 2017-05-25 SendSms) through its official SDK.

    The SDK signs each request (ACS3-HMAC-SHA256). A business refusal comes back as HTTP 200
    with ``Code`` other than ``OK``; a gateway refusal as an HTTP error the SDK raises.
    """

    provider = "Alibaba Cloud SMS"
    default_host = "dysmsapi.aliyuncs.com"
    default_param_limit = 35
    retry_codes = frozenset(
        {
            "isv.BUSINESS_LIMIT_CONTROL",  # per-number minute/hour flow control
            "isp.SYSTEM_ERROR",
            "isp.GATEWAY_ERROR",
            "isp.OUT_OF_SERVICE",
            "ServiceUnavailable",
            "InternalError",
            "SignatureNonceUsed",
        }
    )
    retry_prefixes = ("Throttling",)

    def _client(self):
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi.models import Config

        protocol, host = _split_endpoint(settings.SMS_ENDPOINT, self.default_host)
        config = Config(
            access_key_id=settings.SMS_ACCESS_KEY_ID,
            access_key_secret=settings.SMS_ACCESS_KEY_SECRET,
            region_id=settings.SMS_REGION or "cn-hangzhou",
            endpoint=host,
            protocol=protocol,
            connect_timeout=self.timeout_seconds * 1000,
            read_timeout=self.timeout_seconds * 1000,
        )
        return Client(config)

    def send(self, mobile: str, message: SmsMessage) -> str:
        from alibabacloud_dysmsapi20170525.models import SendSmsRequest
        from alibabacloud_tea_openapi.exceptions import AlibabaCloudException, ServerException, ThrottlingException

        request = SendSmsRequest(
            phone_numbers=mobile,
            sign_name=self.sign_name,
            template_code=self.template_for(message),
            template_param=json.dumps(params_within(message, limit=self.param_limit()), ensure_ascii=False),
        )
        try:
            response = self._client().send_sms(request)
        except (ThrottlingException, ServerException) as exc:
            raise TransientDeliveryError(f"{self.provider} answered {exc.code}: {exc.message}") from exc
        except AlibabaCloudException as exc:
            raise self.refusal(str(exc.code), str(exc.message)) from exc
        except Exception as exc:  # the SDK wraps network errors and timeouts in its own exception
            raise TransientDeliveryError(f"{self.provider} unreachable: {exc}") from exc
        body = response.body
        if body.code != "OK":
            raise self.refusal(str(body.code), str(body.message))
        logger.info("SMS to %s accepted by %s (BizId %s)", mask_mobile(mobile), self.provider, body.biz_id)
        return body.biz_id or ""


class TencentSmsBackend(TemplateSmsBackend):
    """Tencent Cloud SMS (SendSms, API 2021-01-11) through its official SDK.

    The SDK signs each request (TC3-HMAC-SHA256). The request's own errors are raised as
    ``TencentCloudSDKException``; the number's fate is in ``SendStatusSet[0].Code``.
    Variables are positional (``{1}``, ``{2}``…), in the order ``sms_templates`` lists them.
    """

    provider = "Tencent Cloud SMS"
    default_host = "sms.tencentcloudapi.com"
    # Tencent's limit for a notification variable; an account certified as an organisation
    # may have it raised (SMS_PARAM_MAX_LENGTH).
    default_param_limit = 12
    retry_codes = frozenset(
        {
            "ClientNetworkError",
            "ServerNetworkError",
            "LimitExceeded.PhoneNumberThirtySecondLimit",
            "LimitExceeded.PhoneNumberOneHourLimit",
            "LimitExceeded.DeliveryFrequencyLimit",
            "FailedOperation.FailResolvePacket",
        }
    )
    retry_prefixes = ("RequestLimitExceeded", "InternalError", "ResourceUnavailable")

    def __init__(self):
        super().__init__()
        self.sdk_app_id = settings.SMS_TENCENT_SDK_APP_ID
        if not self.sdk_app_id:
            raise PermanentDeliveryError(f"{self.provider}: SMS_TENCENT_SDK_APP_ID must be set")

    def _client(self):
        from tencentcloud.common.credential import Credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111.sms_client import SmsClient

        protocol, host = _split_endpoint(settings.SMS_ENDPOINT, self.default_host)
        profile = ClientProfile(
            httpProfile=HttpProfile(protocol=protocol, endpoint=host, reqTimeout=self.timeout_seconds)
        )
        credential = Credential(settings.SMS_ACCESS_KEY_ID, settings.SMS_ACCESS_KEY_SECRET)
        return SmsClient(credential, settings.SMS_REGION or "ap-guangzhou", profile)

    def send(self, mobile: str, message: SmsMessage) -> str:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.sms.v20210111.models import SendSmsRequest

        request = SendSmsRequest()
        request.PhoneNumberSet = [mobile if mobile.startswith("+") else f"+86{mobile}"]
        request.SmsSdkAppId = self.sdk_app_id
        request.SignName = self.sign_name
        request.TemplateId = self.template_for(message)
        request.TemplateParamSet = list(params_within(message, limit=self.param_limit()).values())
        try:
            response = self._client().SendSms(request)
        except TencentCloudSDKException as exc:
            raise self.refusal(str(exc.get_code()), str(exc.get_message())) from exc
        except Exception as exc:  # a network error the SDK did not wrap
            raise TransientDeliveryError(f"{self.provider} unreachable: {exc}") from exc
        if not response.SendStatusSet:
            raise TransientDeliveryError(f"{self.provider} returned no send status (request {response.RequestId})")
        status = response.SendStatusSet[0]
        if status.Code != "Ok":
            raise self.refusal(str(status.Code), str(status.Message))
        logger.info("SMS to %s accepted by %s (SerialNo %s)", mask_mobile(mobile), self.provider, status.SerialNo)
        return status.SerialNo or ""


#: The backends that send registered templates (each SMS kind needs a template code).
TEMPLATE_BACKENDS = {
    "jinseed.notifications.sms.AlibabaSmsBackend": AlibabaSmsBackend,
    "jinseed.notifications.sms.TencentSmsBackend": TencentSmsBackend,
}


def get_sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


class LocmemSmsBackend(SmsBackend):
    """Tests: every message is kept in ``LocmemSmsBackend.outbox`` as ``(mobile, text)`` and in
    ``LocmemSmsBackend.messages`` as ``(mobile, SmsMessage)``."""

    outbox: list[tuple[str, str]] = []
    messages: list[tuple[str, SmsMessage]] = []

    def send(self, mobile: str, message: SmsMessage) -> str:
        type(self).outbox.append((mobile, message.text))
        type(self).messages.append((mobile, message))
        return ""
