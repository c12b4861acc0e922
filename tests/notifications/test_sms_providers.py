"""The Alibaba Cloud and Tencent Cloud backends, through the providers' own SDKs, against a local
server that checks each request's signature as the provider does and answers as the provider
documents (success, throttling, a bad number, a signature it cannot match)."""

import datetime as dt
import hashlib
import hmac
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit

import pytest

from jinseed.notifications.enums import NotificationStatus
from jinseed.notifications.errors import PermanentDeliveryError, TransientDeliveryError
from jinseed.notifications.kinds import KINDS
from jinseed.notifications.models import Notification
from jinseed.notifications.services import notification_preference_update, notification_queue
from jinseed.notifications.sms import AlibabaSmsBackend, TencentSmsBackend
from jinseed.notifications.sms_templates import sms_message

AK, SECRET = "LTAI5tTestAccessKey", "test-secret-kept-by-the-server"
SUCCESS, THROTTLED, BAD_NUMBER = "13900000001", "13900000002", "13900000003"


class ProviderServer:
    """A stdlib HTTP server on 127.0.0.1 (port 0) in a thread; ``answer(request)`` decides the reply."""

    def __init__(self, answer):
        self.answer, self.requests = answer, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                request = {"path": self.path, "headers": self.headers, "body": body}
                outer.requests.append(request)
                status, payload = outer.answer(request)
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


# --- Alibaba Cloud: ACS3-HMAC-SHA256 ---------------------------------------------------------


def alibaba_signature_ok(request) -> bool:
    """Recompute the ACS3-HMAC-SHA256 signature of the request from its parts and the secret."""
    auth = request["headers"]["Authorization"]
    algorithm, _, fields = auth.partition(" ")
    parts = dict(item.split("=", 1) for item in fields.split(","))
    if algorithm != "ACS3-HMAC-SHA256" or parts["Credential"] != AK:
        return False
    payload_hash = hashlib.sha256(request["body"]).hexdigest()
    if request["headers"]["x-acs-content-sha256"] != payload_hash:
        return False
    url = urlsplit(request["path"])
    query = sorted(parse_qsl(url.query, keep_blank_values=True))
    canonical_query = "&".join(f"{k}={quote(v, safe='~')}" for k, v in query)
    signed = parts["SignedHeaders"].split(";")
    canonical_headers = "".join(f"{name}:{request['headers'][name].strip()}\n" for name in signed)
    canonical = "\n".join(
        ["POST", url.path or "/", canonical_query, canonical_headers, parts["SignedHeaders"], payload_hash]
    )
    to_sign = f"ACS3-HMAC-SHA256\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    expected = hmac.new(SECRET.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["Signature"])


def alibaba_answer(request):
    request_id = "F655A8D5-B967-440B-8683-DAD6FF8DE990"
    if not alibaba_signature_ok(request):
        return 400, {
            "Code": "SignatureDoesNotMatch",
            "Message": "Specified signature is not matched with our calculation.",
            "RequestId": request_id,
        }
    query = dict(parse_qsl(urlsplit(request["path"]).query))
    request["verified"] = query
    if query["PhoneNumbers"] == THROTTLED:
        limited = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1"}
        return 200, {**limited, "RequestId": request_id}
    if query["PhoneNumbers"] == BAD_NUMBER:
        return 200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号", "RequestId": request_id}
    return 200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": request_id}


@pytest.fixture
def alibaba(settings):
    settings.SMS_BACKEND = "jinseed.notifications.sms.AlibabaSmsBackend"
    settings.SMS_ACCESS_KEY_ID, settings.SMS_ACCESS_KEY_SECRET = AK, SECRET
    settings.SMS_SIGN_NAME = "金种子"
    settings.SMS_TEMPLATES = {"interview_invitation": "SMS_154950909", "offer_made": "SMS_154950910"}
    settings.SMS_PARAM_MAX_LENGTH = 0
    with ProviderServer(alibaba_answer) as server:
        settings.SMS_ENDPOINT = server.url
        yield server


def _invitation(**changes):
    context = {**KINDS["interview_invitation"].example, **changes}
    return sms_message(kind="interview_invitation", context=context, text="【金种子】面试邀请")


def test_alibaba_sends_the_signature_template_and_variables_signed(alibaba):
    message = _invitation(post_title="团区委青年发展部暑期实习岗位（宣传与新媒体运营方向，需熟悉视频剪辑与公众号排版）")
    assert AlibabaSmsBackend().send(SUCCESS, message) == "900619746936498440^0"
    [request] = alibaba.requests
    query = request["verified"]
    assert request["headers"]["x-acs-action"] == "SendSms"
    assert (query["PhoneNumbers"], query["SignName"], query["TemplateCode"]) == (SUCCESS, "金种子", "SMS_154950909")
    params = json.loads(query["TemplateParam"])
    assert params == {
        "name": "张晓明",
        "post": "团区委青年发展部暑期实习岗位（宣传与新媒体运营方向，需熟悉视频剪辑与…",
        "time": "6月28日 09:30",
    }
    assert all(len(value) <= 35 for value in params.values())


def test_alibaba_throttling_is_retried_and_a_bad_number_fails(alibaba):
    with pytest.raises(TransientDeliveryError, match=r"isv\.BUSINESS_LIMIT_CONTROL"):
        AlibabaSmsBackend().send(THROTTLED, _invitation())
    with pytest.raises(PermanentDeliveryError, match=r"isv\.MOBILE_NUMBER_ILLEGAL"):
        AlibabaSmsBackend().send(BAD_NUMBER, _invitation())


def test_alibaba_a_wrong_secret_is_refused_by_the_signature_check(alibaba, settings):
    settings.SMS_ACCESS_KEY_SECRET = "not-the-secret"
    with pytest.raises(PermanentDeliveryError, match="SignatureDoesNotMatch"):
        AlibabaSmsBackend().send(SUCCESS, _invitation())
    assert "verified" not in alibaba.requests[0]


def test_alibaba_a_kind_without_a_template_code_is_not_sent(alibaba):
    message = sms_message(kind="alumni_survey", context=KINDS["alumni_survey"].example, text="x")
    with pytest.raises(PermanentDeliveryError, match="no template code set for 'alumni_survey'"):
        AlibabaSmsBackend().send(SUCCESS, message)
    assert alibaba.requests == []


def test_alibaba_server_errors_and_an_unreachable_endpoint_are_retried(settings, alibaba):
    with ProviderServer(lambda request: (503, {"Code": "ServiceUnavailable", "Message": "busy"})) as busy:
        settings.SMS_ENDPOINT = busy.url
        with pytest.raises(TransientDeliveryError, match="ServiceUnavailable"):
            AlibabaSmsBackend().send(SUCCESS, _invitation())
    settings.SMS_ENDPOINT = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(TransientDeliveryError, match="unreachable"):
        AlibabaSmsBackend().send(SUCCESS, _invitation())


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- Tencent Cloud: TC3-HMAC-SHA256 ---------------------------------------------------------

TENCENT_ID, TENCENT_KEY = "AKIDtestSecretId", "tencent-secret-key-kept-by-the-server"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tencent_signature_ok(request) -> bool:
    headers = request["headers"]
    algorithm, _, fields = headers["Authorization"].partition(" ")
    parts = dict(item.strip().split("=", 1) for item in fields.split(","))
    credential_id, date, service, terminator = parts["Credential"].split("/")
    if (algorithm, credential_id, service, terminator) != ("TC3-HMAC-SHA256", TENCENT_ID, "sms", "tc3_request"):
        return False
    timestamp = int(headers["X-TC-Timestamp"])
    if dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d") != date:
        return False
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{headers['Content-Type']}\nhost:{headers['Host']}\n",
            parts["SignedHeaders"],
            hashlib.sha256(request["body"]).hexdigest(),
        ]
    )
    to_sign = "\n".join(
        ["TC3-HMAC-SHA256", str(timestamp), f"{date}/sms/tc3_request", hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _hmac(_hmac(_hmac(f"TC3{TENCENT_KEY}".encode(), date), "sms"), "tc3_request")
    return hmac.compare_digest(hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest(), parts["Signature"])


def tencent_answer(request):
    request_id = "a0aabda6-cf91-4f3e-a81f-9198114a2279"
    if not tencent_signature_ok(request):
        error = {"Code": "AuthFailure.SignatureFailure", "Message": "The provided credentials could not be validated."}
        return 200, {"Response": {"Error": error, "RequestId": request_id}}
    body = json.loads(request["body"])
    request["verified"] = body
    number = body["PhoneNumberSet"][0]
    status = {"SerialNo": "2645:206899500816346917893302461", "PhoneNumber": number, "Fee": 1, "SessionContext": ""}
    if number == f"+86{THROTTLED}":
        status.update(
            Code="LimitExceeded.PhoneNumberThirtySecondLimit", Message="单个手机号30秒内下发短信条数超过设定的上限"
        )
    elif number == f"+86{BAD_NUMBER}":
        status.update(Code="InvalidParameterValue.IncorrectPhoneNumber", Message="手机号格式错误")
    else:
        status.update(Code="Ok", Message="send success", IsoCode="CN")
    return 200, {"Response": {"SendStatusSet": [status], "RequestId": request_id}}


@pytest.fixture
def tencent(settings):
    settings.SMS_BACKEND = "jinseed.notifications.sms.TencentSmsBackend"
    settings.SMS_ACCESS_KEY_ID, settings.SMS_ACCESS_KEY_SECRET = TENCENT_ID, TENCENT_KEY
    settings.SMS_SIGN_NAME = "金种子"
    settings.SMS_TENCENT_SDK_APP_ID = "1400006666"
    settings.SMS_TEMPLATES = {"interview_invitation": "449739", "offer_made": "449740"}
    settings.SMS_PARAM_MAX_LENGTH = 0
    with ProviderServer(tencent_answer) as server:
        settings.SMS_ENDPOINT = server.url
        yield server


def test_tencent_sends_the_template_with_positional_variables_signed(tencent):
    assert TencentSmsBackend().send(SUCCESS, _invitation()) == "2645:206899500816346917893302461"
    [request] = tencent.requests
    assert request["headers"]["X-TC-Action"] == "SendSms"
    body = request["verified"]
    assert {k: body[k] for k in ("PhoneNumberSet", "SmsSdkAppId", "SignName", "TemplateId")} == {
        "PhoneNumberSet": [f"+86{SUCCESS}"],
        "SmsSdkAppId": "1400006666",
        "SignName": "金种子",
        "TemplateId": "449739",
    }
    assert body["TemplateParamSet"] == ["张晓明", "团区委青年发展部实习岗", "6月28日 09:30"]


def test_tencent_cuts_text_variables_to_its_limit(tencent, settings):
    TencentSmsBackend().send(SUCCESS, _invitation(post_title="共青团上海市金山区委员会青年发展部暑期实习岗"))
    assert tencent.requests[0]["verified"]["TemplateParamSet"][1] == "共青团上海市金山区委员…"
    settings.SMS_PARAM_MAX_LENGTH = 6
    TencentSmsBackend().send(SUCCESS, _invitation(post_title="青年发展部实习岗"))
    assert tencent.requests[1]["verified"]["TemplateParamSet"] == ["张晓明", "青年发展部…", "6月28日 09:30"]


def test_tencent_throttling_is_retried_and_a_bad_number_fails(tencent):
    with pytest.raises(TransientDeliveryError, match="PhoneNumberThirtySecondLimit"):
        TencentSmsBackend().send(THROTTLED, _invitation())
    with pytest.raises(PermanentDeliveryError, match="IncorrectPhoneNumber"):
        TencentSmsBackend().send(BAD_NUMBER, _invitation())


def test_tencent_a_wrong_key_is_refused_by_the_signature_check(tencent, settings):
    settings.SMS_ACCESS_KEY_SECRET = "not-the-key"
    with pytest.raises(PermanentDeliveryError, match=r"AuthFailure\.SignatureFailure"):
        TencentSmsBackend().send(SUCCESS, _invitation())
    assert "verified" not in tencent.requests[0]


def test_tencent_an_unreachable_endpoint_is_retried(tencent, settings):
    settings.SMS_ENDPOINT = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(TransientDeliveryError):
        TencentSmsBackend().send(SUCCESS, _invitation())


# --- Through the outbox -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_outbox_keeps_the_providers_message_id(tencent, run_on_commit):
    from tests.factories import UserFactory

    student = UserFactory(mobile=SUCCESS)
    notification_preference_update(user=student, email=False, sms=True)
    with run_on_commit():
        notification_queue(
            recipient=student,
            kind="interview_invitation",
            context=KINDS["interview_invitation"].example,
            event_key="interview:7:invitation",
            channels=["sms"],
        )
    row = Notification.objects.get(channel="sms")
    assert (row.status, row.provider_message_id) == (NotificationStatus.SENT, "2645:206899500816346917893302461")
