"""Settings switch on the environment: checked in fresh interpreters."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
    "'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'broker': settings.CELERY_BROKER_URL, "
    "'email': settings.EMAIL_BACKEND, 'lang': settings.LANGUAGE_CODE, 'tz': settings.TIME_ZONE}))"
)


def _settings(**env):
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_HOST"}}
    base.update(env, DJANGO_SETTINGS_MODULE="jinseed.settings")
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=base, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1]), out


def test_settings_defaults_are_embedded():
    values, _ = _settings()
    assert values == {
        "engine": "django.db.backends.sqlite3",
        "eager": True,
        "broker": "memory://",
        "email": "jinseed.mail.LoggingFileBackend",
        "lang": "zh-hans",
        "tz": "Asia/Shanghai",
    }


def test_settings_switch_to_postgres_redis_smtp():
    values, _ = _settings(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/x",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        EMAIL_HOST="smtp.example.cn",
    )
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["eager"] is False
    assert values["broker"] == "redis://127.0.0.1:6379/0"
    assert values["email"] == "jinseed.mail.SmtpBackend"


def test_settings_refuse_default_secret_without_debug():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DEBUG="false", DJANGO_SETTINGS_MODULE="jinseed.settings")
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert out.returncode != 0
    assert "SECRET_KEY" in out.stderr


PRODUCTION_KEYS = {
    "FIELD_ENCRYPTION_KEY": "q5Yf0v2Wm6wq1y4Fh3nH8mXo2b7Zr0tA9sDk3LpQe1U=",
    "ID_NUMBER_HASH_KEY": "h" * 48,
}


def test_settings_refuse_derived_id_keys_without_debug():
    env = {k: v for k, v in os.environ.items() if k not in {"FIELD_ENCRYPTION_KEY", "ID_NUMBER_HASH_KEY"}}
    env.update(DEBUG="false", SECRET_KEY="k" * 30 + "-production-like-secret-key-0123456789")
    env.update(DJANGO_SETTINGS_MODULE="jinseed.settings")
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert out.returncode != 0
    assert "FIELD_ENCRYPTION_KEY" in out.stderr


def test_settings_pass_the_deploy_check_without_debug():
    """With DEBUG off, HTTPS is enforced (redirect, HSTS with subdomains) and every cookie is
    secure: the one warning left is HSTS preloading, a deployment's own decision (README)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_HOST"}}
    # Production's own environment: none of the test run's (the browser tests allow async
    # ORM calls, which the deploy check rightly refuses).
    env = {k: v for k, v in env.items() if not k.startswith(("SECURE_", "SMS_")) and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(DEBUG="false", SECRET_KEY="k" * 30 + "-production-like-secret-key-0123456789", **PRODUCTION_KEYS)
    env.update(SMS_BACKEND="jinseed.notifications.sms.HttpGatewaySmsBackend", SMS_GATEWAY_URL="https://sms.example.cn/")
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    # The report goes to stderr when there are warnings; log lines (axes) may come before it.
    report = out.stderr[out.stderr.index("System check identified some issues:") :].strip().splitlines()
    assert report == [
        "System check identified some issues:",
        "",
        "WARNINGS:",
        "?: (security.W021) You have not set the SECURE_HSTS_PRELOAD setting to True. Without this, your site "
        "cannot be submitted to the browser preload list.",
        "",
        "System check identified 1 issue (2 silenced).",
    ]
