"""Error reports: sent only with a DSN, and never with personal data in them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from jinseed.observability import scrub_event, sentry_setup

ROOT = Path(__file__).resolve().parent.parent


def test_scrub_event_drops_bodies_cookies_and_the_user_and_masks_what_is_left():
    event = {
        "message": "Profile save failed for 13912345678 / stu@example.cn / 310116200005171016",
        "logentry": {"message": "SMS to %s failed", "params": ["13912345678"]},
        "user": {"id": 7, "email": "stu@example.cn", "ip_address": "198.51.100.7"},
        "request": {
            "url": "https://jinseed.example.cn/profile/",
            "method": "POST",
            "data": {"id_number": "310116200005171016", "mobile": "13912345678"},
            "cookies": {"sessionid": "abc"},
            "query_string": "mobile=13912345678",
            "env": {"REMOTE_ADDR": "10.0.0.2"},
            "headers": {"Cookie": "sessionid=abc", "X-Forwarded-For": "198.51.100.7", "User-Agent": "Firefox"},
        },
        "extra": {"target": "13912345678", "nested": [{"email": "Stu.Li+x@example.cn"}], "count": 3},
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "value": "duplicate ID 31011620010203101X",
                    "stacktrace": {"frames": [{"function": "save", "vars": {"mobile": "'13912345678'"}}]},
                }
            ]
        },
        "breadcrumbs": {"values": [{"message": "code sent to stu@example.cn"}]},
        "level": "error",
    }
    assert scrub_event(event, {}) == {
        "message": "Profile save failed for 139****5678 / [email] / 310116********1016",
        "logentry": {"message": "SMS to %s failed", "params": ["139****5678"]},
        "request": {
            "url": "https://jinseed.example.cn/profile/",
            "method": "POST",
            "headers": {"User-Agent": "Firefox"},
        },
        "extra": {"target": "139****5678", "nested": [{"email": "[email]"}], "count": 3},
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "value": "duplicate ID 310116********101X",
                    "stacktrace": {"frames": [{"function": "save", "vars": {"mobile": "'139****5678'"}}]},
                }
            ]
        },
        "breadcrumbs": {"values": [{"message": "code sent to [email]"}]},
        "level": "error",
    }


def test_sentry_setup_does_nothing_without_a_dsn(monkeypatch):
    calls = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **kwargs: calls.append(kwargs))
    assert sentry_setup(dsn="", environment="production") is False
    assert calls == []


def test_sentry_setup_with_a_dsn_sends_no_personal_data(monkeypatch):
    calls = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **kwargs: calls.append(kwargs))
    assert sentry_setup(dsn="https://key@sentry.example.cn/3", environment="staging", release="2026.12") is True
    [options] = calls
    integrations = options.pop("integrations")
    assert [type(i) for i in integrations] == [DjangoIntegration, CeleryIntegration]
    assert options == {
        "dsn": "https://key@sentry.example.cn/3",
        "environment": "staging",
        "release": "2026.12",
        "send_default_pii": False,
        "before_send": scrub_event,
        "max_request_body_size": "never",
    }


PROBE = (
    "import json, django, sentry_sdk; django.setup(); client = sentry_sdk.get_client(); "
    "print(json.dumps([client.is_active(), client.options.get('environment'), client.options.get('release'), "
    "client.options.get('send_default_pii')]))"
)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, [False, None, None, None]),
        (
            {"SENTRY_DSN": "https://key@sentry.example.cn/3", "SENTRY_RELEASE": "2026.12"},
            [True, "development", "2026.12", False],
        ),
    ],
)
def test_settings_start_sentry_only_when_the_dsn_is_set(env, expected):
    base = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    base.update(env, DEBUG="true", DJANGO_SETTINGS_MODULE="jinseed.settings")
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=base, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == expected
