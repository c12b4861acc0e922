import io
import json
import logging
import urllib.error

import pytest

from jinseed.notifications.errors import PermanentDeliveryError, TransientDeliveryError
from jinseed.notifications.kinds import KINDS
from jinseed.notifications.models import Notification
from jinseed.notifications.services import notification_preference_update, notification_queue
from jinseed.notifications.sms import HttpGatewaySmsBackend, LoggingSmsBackend, get_sms_backend
from jinseed.notifications.sms_templates import SmsMessage


class FakeResponse:
    def __init__(self, status, body=b"{}"):
        self.status, self._body = status, body

    def read(self, n=-1):
        return self._body

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class FakeOpener:
    """Stands in for urllib's ``urlopen``: records requests, answers with a status or raises."""

    def __init__(self, answer):
        self.answer, self.requests = answer, []

    def __call__(self, request, timeout):
        self.requests.append(request)
        if isinstance(self.answer, Exception):
            raise self.answer
        return FakeResponse(self.answer)


def _gateway(answer):
    opener = FakeOpener(answer)
    return HttpGatewaySmsBackend(url="https://sms.example.cn/send", token="t0ken", opener=opener), opener


def test_default_backend_logs(caplog, settings):
    settings.DEBUG = True  # the text is logged in development only; the number is always masked
    assert isinstance(get_sms_backend(), LoggingSmsBackend)
    with caplog.at_level(logging.INFO, logger="jinseed.notifications.sms"):
        LoggingSmsBackend().send("13912345678", SmsMessage(kind="", text="您好"))
    assert caplog.messages == ["SMS to 139****5678: 您好"]


def test_gateway_posts_json_with_bearer_token():
    backend, opener = _gateway(200)
    backend.send("13912345678", SmsMessage(kind="", text="【金种子】面试提醒"))
    [request] = opener.requests
    assert (request.full_url, request.method) == ("https://sms.example.cn/send", "POST")
    assert request.get_header("Authorization") == "Bearer t0ken"
    assert json.loads(request.data) == {"mobile": "13912345678", "text": "【金种子】面试提醒"}


@pytest.mark.parametrize(
    "answer",
    [500, 503, 429, urllib.error.URLError("connection refused"), TimeoutError("timed out")],
)
def test_gateway_transient_failures(answer):
    backend, _ = _gateway(answer)
    with pytest.raises(TransientDeliveryError):
        backend.send("13912345678", SmsMessage(kind="", text="x"))


@pytest.mark.parametrize("status", [400, 401, 403])
def test_gateway_permanent_failures(status):
    error = urllib.error.HTTPError("https://sms.example.cn/send", status, "no", {}, io.BytesIO(b"bad number"))
    backend, _ = _gateway(error)
    with pytest.raises(PermanentDeliveryError, match=f"refused the message \\({status}\\): bad number"):
        backend.send("13912345678", SmsMessage(kind="", text="x"))


def test_gateway_needs_a_url(settings):
    settings.SMS_GATEWAY_URL = ""
    with pytest.raises(PermanentDeliveryError):
        HttpGatewaySmsBackend()


@pytest.mark.django_db
def test_sms_channel_sends_a_short_text(recipient, run_on_commit, caplog, settings):
    settings.DEBUG = True
    notification_preference_update(user=recipient, email=False, sms=True)
    with caplog.at_level(logging.INFO, logger="jinseed.notifications.sms"), run_on_commit():
        notification_queue(
            recipient=recipient,
            kind="interview_reminder_1h",
            context=KINDS["interview_reminder_1h"].example,
            event_key="interview:7:reminder:1h",
        )
    sms_log = [r.getMessage() for r in caplog.records if r.name == "jinseed.notifications.sms"]
    assert sms_log == [
        "SMS to 139****5678: 【金种子】In one hour: interview for 团区委青年发展部实习岗 at 09:30",
        'SMS via Alibaba Cloud SMS: template (not set) (interview_reminder_1h), variables {"name": "张晓明", '
        '"post": "团区委青年发展部实习岗", "time": "6月28日 09:30"}',
        'SMS via Tencent Cloud SMS: template (not set) (interview_reminder_1h), variables ["张晓明", '
        '"团区委青年发展部实习岗", "6月28日 09:30"]',
    ]
    assert sorted(Notification.objects.values_list("channel", "status")) == [("inbox", "sent"), ("sms", "sent")]
