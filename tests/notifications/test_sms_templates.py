import os
import subprocess
import sys
from pathlib import Path

import pytest

from jinseed.notifications.kinds import KINDS
from jinseed.notifications.sms_templates import (
    SMS_KINDS,
    SMS_VARIABLES,
    TEXT,
    VERIFICATION_KIND,
    params_within,
    short_date,
    short_time,
    sms_message,
)
from tests.test_settings import PRODUCTION as SETTINGS_PRODUCTION

ROOT = Path(__file__).resolve().parents[2]


def test_every_kind_has_its_sms_variables():
    assert set(SMS_KINDS) == set(KINDS) | {VERIFICATION_KIND}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kinds_example_fills_every_variable(kind):
    message = sms_message(kind=kind, context=KINDS[kind].example, text="x")
    assert list(message.params) == [v.name for v in SMS_VARIABLES[kind]]
    assert all(message.params.values()), message.params
    # No link goes into a variable: the providers refuse them (the template holds the address).
    assert not any("http" in value or "/" in value for value in message.params.values())


def test_times_and_dates_are_short_and_in_shanghai_time():
    assert short_time("2020-06-28T01:30:00+00:00") == "6月28日 09:30"
    assert short_date("2020-07-13") == "7月13日"


def test_text_variables_are_cut_but_times_never_are():
    message = sms_message(
        kind="offer_made",
        context={**KINDS["offer_made"].example, "student_name": "欧阳  娜娜\n提木"},
        text="x",
    )
    assert params_within(message, limit=4) == {"name": "欧阳 …", "post": "团区委…", "deadline": "7月3日 17:00"}
    assert [v.type for v in SMS_VARIABLES["offer_made"]][:2] == [TEXT, TEXT]


def test_digest_counts_and_term_switch_result():
    digest = sms_message(kind="coordinator_daily_digest", context=KINDS["coordinator_daily_digest"].example, text="")
    assert digest.params == {"date": "6月25日", "applications": "2", "interviews": "1"}
    switch = sms_message(kind="term_switch_decided", context=KINDS["term_switch_decided"].example, text="")
    assert switch.params == {"name": "张晓明", "result": "已批准"}


# Every other production setting as tests/test_settings.py sets it; SMS through Alibaba Cloud.
PRODUCTION = {
    **{name: value for name, value in SETTINGS_PRODUCTION.items() if not name.startswith("SMS_")},
    "SMS_BACKEND": "jinseed.notifications.sms.AlibabaSmsBackend",
    "SMS_ACCESS_KEY_ID": "LTAI5tExample",
    "SMS_ACCESS_KEY_SECRET": "secret",
    "SMS_SIGN_NAME": "金种子",
}


def _start(**env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("SMS_")}
    base.update(PRODUCTION, DJANGO_SETTINGS_MODULE="jinseed.settings")
    base.update(env)
    probe = "import django; django.setup(); print('started')"
    return subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=base, capture_output=True, text=True, check=False
    )


def test_production_refuses_a_template_provider_with_a_kind_left_without_template():
    templates = ",".join(f"{kind}=SMS_{n}" for n, kind in enumerate(SMS_KINDS) if kind != "offer_made")
    out = _start(SMS_TEMPLATES=templates)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: DEBUG is off and SMS_BACKEND is "
        "jinseed.notifications.sms.AlibabaSmsBackend: SMS_TEMPLATES has no template code for offer_made "
        "(see docs/sms.md)."
    )


def test_production_refuses_tencent_without_its_app_id():
    out = _start(SMS_BACKEND="jinseed.notifications.sms.TencentSmsBackend")
    assert out.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: DEBUG is off and SMS_BACKEND is "
        "jinseed.notifications.sms.TencentSmsBackend: set SMS_TENCENT_SDK_APP_ID."
    )


def test_production_starts_with_every_template_set():
    out = _start(SMS_TEMPLATES=",".join(f"{kind}=SMS_{n}" for n, kind in enumerate(SMS_KINDS)))
    assert (out.returncode, out.stdout.strip()) == (0, "started"), out.stderr
