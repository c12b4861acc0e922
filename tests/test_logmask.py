"""Mobile numbers are masked in every log line; production refuses the logging SMS backend."""

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jinseed.logmask import MaskMobilesFilter, mask_mobile
from tests.test_settings import PRODUCTION

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("SMS to 13800000001", "SMS to 138****0001"),
        ("+8613912345678 and 0086 15000001111", "+86139****5678 and 0086 150****1111"),
        ("mobile=18612345678&x=1", "mobile=186****5678&x=1"),
        ("ID 310116200005171016, tel 021-57921234", "ID 310116200005171016, tel 021-57921234"),
        (
            "138000000012 is 12 digits; 12345678901 does not start 13-19",
            "138000000012 is 12 digits; 12345678901 does not start 13-19",
        ),
    ],
)
def test_mask_mobile_masks_mainland_numbers_only(text, masked):
    assert mask_mobile(text) == masked


@pytest.fixture
def console():
    """The root handler settings.LOGGING installs, writing into a string for the test."""
    [handler] = [h for h in logging.getLogger().handlers if any(isinstance(f, MaskMobilesFilter) for f in h.filters)]
    stream = io.StringIO()
    old = handler.setStream(stream)
    yield stream
    handler.setStream(old)


def test_log_lines_mask_mobiles_in_messages_arguments_and_tracebacks(console):
    log = logging.getLogger("jinseed.tests.anything")
    log.warning("Student 13900001111 called about %s", "15000002222")
    try:
        raise ValueError("gateway said: unknown number 13700003333")
    except ValueError:
        log.exception("Sending to %s failed", "13700003333")
    lines = console.getvalue().splitlines()
    assert lines[0].endswith("WARNING jinseed.tests.anything: Student 139****1111 called about 150****2222")
    assert lines[1].endswith("ERROR jinseed.tests.anything: Sending to 137****3333 failed")
    assert lines[-1] == "ValueError: gateway said: unknown number 137****3333"
    assert "13700003333" not in console.getvalue()


def test_logging_sms_backend_masks_the_number_and_leaves_out_the_text(caplog, settings):
    from jinseed.notifications.sms import LoggingSmsBackend
    from jinseed.notifications.sms_templates import SmsMessage

    settings.DEBUG = False
    with caplog.at_level(logging.INFO, logger="jinseed.notifications.sms"):
        LoggingSmsBackend().send("13912345678", SmsMessage(kind="", text="【金种子】您好"))
    assert caplog.messages == ["SMS to 139****5678 (7 characters, not sent: logging backend)"]


def test_logging_sms_backend_shows_the_text_in_development(caplog, settings):
    from jinseed.notifications.sms import LoggingSmsBackend
    from jinseed.notifications.sms_templates import SmsMessage

    settings.DEBUG = True
    with caplog.at_level(logging.INFO, logger="jinseed.notifications.sms"):
        LoggingSmsBackend().send("13912345678", SmsMessage(kind="", text="您好"))
    assert caplog.messages == ["SMS to 139****5678: 您好"]


def _load_settings(**env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("SMS_")}
    base.update(PRODUCTION, DJANGO_SETTINGS_MODULE="jinseed.settings")
    base.pop("SMS_BACKEND")
    base.update(env)
    probe = "import django; from django.conf import settings; django.setup(); print(settings.SMS_BACKEND)"
    return subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=base, capture_output=True, text=True, check=False
    )


def test_production_refuses_the_logging_sms_backend():
    out = _load_settings()
    assert out.returncode == 1
    assert out.stderr.strip().splitlines()[-1] == (
        "- SMS_BACKEND is the logging backend, which sends nothing: set SMS_BACKEND to "
        "jinseed.notifications.sms.AlibabaSmsBackend or jinseed.notifications.sms.TencentSmsBackend (see "
        "docs/sms.md), or set SMS_ALLOW_LOGGING_BACKEND=true to keep it on purpose."
    )


@pytest.mark.parametrize(
    ("env", "backend"),
    [
        ({"SMS_ALLOW_LOGGING_BACKEND": "true"}, "jinseed.notifications.sms.LoggingSmsBackend"),
        (
            {"SMS_BACKEND": "jinseed.notifications.sms.HttpGatewaySmsBackend"},
            "jinseed.notifications.sms.HttpGatewaySmsBackend",
        ),
    ],
)
def test_production_accepts_a_gateway_or_the_logging_backend_on_purpose(env, backend):
    out = _load_settings(**env)
    assert (out.returncode, out.stdout.strip().splitlines()[-1]) == (0, backend), out.stderr
