"""Settings switch on the environment: checked in fresh interpreters."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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


DATABASE_PROBE = (
    "import json, django; from django.conf import settings; django.setup(); db = settings.DATABASES['default']; "
    "print(json.dumps({'age': db['CONN_MAX_AGE'], 'pool': db.get('OPTIONS', {}).get('pool')}))"
)


def _database(**env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CONN_MAX_AGE"))}
    base.update(env, DATABASE_URL="postgres://postgres@127.0.0.1:5432/x", DJANGO_SETTINGS_MODULE="jinseed.settings")
    out = subprocess.run(
        [sys.executable, "-c", DATABASE_PROBE], cwd=ROOT, env=base, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_settings_keep_persistent_connections_unless_a_pool_is_asked_for():
    assert _database(CONN_MAX_AGE="30") == {"age": 30, "pool": None}


def test_settings_give_each_process_a_pool_with_django_s_own_connections_not_kept():
    values = _database(
        DATABASE_POOL="true",
        DATABASE_POOL_MIN_SIZE="1",
        DATABASE_POOL_MAX_SIZE="6",
        DATABASE_POOL_TIMEOUT="2.5",
        CONN_MAX_AGE="60",
    )
    assert values == {"age": 0, "pool": {"min_size": 1, "max_size": 6, "timeout": 2.5}}


# A production environment that passes every check; each test below breaks one thing.
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 30 + "-production-like-secret-key-0123456789",
    "FIELD_ENCRYPTION_KEY": "q5Yf0v2Wm6wq1y4Fh3nH8mXo2b7Zr0tA9sDk3LpQe1U=",
    "ID_NUMBER_HASH_KEY": "h" * 48,
    "CERTIFICATE_SIGNING_KEY": "c" * 40,
    "ALLOWED_HOSTS": "jinseed.example.cn",
    "SITE_URL": "https://jinseed.example.cn",
    "DEFAULT_FROM_EMAIL": "金种子培育计划 <noreply@jinseed.example.cn>",
    "EMAIL_HOST": "smtp.example.cn",
    "SMS_BACKEND": "jinseed.notifications.sms.HttpGatewaySmsBackend",
    "SMS_GATEWAY_URL": "https://sms.example.cn/",
}

# Everything the settings read that a production check looks at, dropped from the test
# run's own environment before a production one is built.
_CHECKED = {
    "DEBUG",
    "SECRET_KEY",
    "SECRET_KEY_FALLBACKS",
    "FIELD_ENCRYPTION_KEY",
    "FIELD_ENCRYPTION_KEYS",
    "ID_NUMBER_HASH_KEY",
    "CERTIFICATE_SIGNING_KEY",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "DEFAULT_FROM_EMAIL",
    "EMAIL_HOST",
    "TRUSTED_PROXIES",
    "SENTRY_DSN",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
}

HEADER = (
    "django.core.exceptions.ImproperlyConfigured: DEBUG is off and these settings are not fit for production "
    "(see docs/settings.md; DEBUG=true switches development on):"
)
PROBLEMS = {
    "SECRET_KEY": "- SECRET_KEY: set a random string of 40+ characters (not the development key).",
    "FIELD_ENCRYPTION_KEYS": (
        "- FIELD_ENCRYPTION_KEYS (or FIELD_ENCRYPTION_KEY): set a Fernet key, so that stored ID numbers do not "
        "depend on SECRET_KEY (make one with: python -c 'from cryptography.fernet import Fernet; "
        "print(Fernet.generate_key().decode())')."
    ),
    "bad_fernet": ("- FIELD_ENCRYPTION_KEYS: every key must be a Fernet key (32 url-safe base64-encoded bytes)."),
    "FIELD_ENCRYPTION_KEY": (
        "- FIELD_ENCRYPTION_KEY is not among FIELD_ENCRYPTION_KEYS: keep it in the list (second, while a new key "
        "takes over) or unset it, or what it encrypted can no longer be read."
    ),
    "ID_NUMBER_HASH_KEY": "- ID_NUMBER_HASH_KEY: set a random string, the key of the ID numbers' uniqueness hash.",
    "CERTIFICATE_SIGNING_KEY": (
        "- CERTIFICATE_SIGNING_KEY: set a random string of 32+ characters; it signs certificate verification "
        "codes, which must stay valid when SECRET_KEY changes."
    ),
    "ALLOWED_HOSTS": "- ALLOWED_HOSTS: set the host name(s) the portal is served under, comma-separated.",
    "SITE_URL": (
        "- SITE_URL: set the portal's public address (https://…): links in mail, SMS and certificates use it."
    ),
    "TRUSTED_PROXIES": (
        "- TRUSTED_PROXIES: every entry must be an IP address or a network (10.0.0.5, 10.0.0.0/24, fd00::/8)."
    ),
    "DEFAULT_FROM_EMAIL": "- DEFAULT_FROM_EMAIL: set the sender of the portal's mail (金种子培育计划 <noreply@…>).",
    "EMAIL_HOST": ("- EMAIL_HOST: set the SMTP server; without it mail is only written to files and nobody gets it."),
    "SMS_BACKEND": (
        "- SMS_BACKEND is the logging backend, which sends nothing: set SMS_BACKEND to "
        "jinseed.notifications.sms.AlibabaSmsBackend or jinseed.notifications.sms.TencentSmsBackend (see "
        "docs/sms.md), or set SMS_ALLOW_LOGGING_BACKEND=true to keep it on purpose."
    ),
}


def _production(drop=(), **env):
    """Settings loaded in a fresh interpreter with PRODUCTION, less ``drop``, plus ``env``."""
    base = {k: v for k, v in os.environ.items() if k not in _CHECKED and not k.startswith(("SMS_", "SECURE_"))}
    base.update({k: v for k, v in PRODUCTION.items() if k not in drop}, DJANGO_SETTINGS_MODULE="jinseed.settings")
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=base, capture_output=True, text=True, check=False
    )


def _refusal(out) -> list[str]:
    """The lines of the one ImproperlyConfigured start-up ends with."""
    assert out.returncode == 1, out.stdout
    lines = out.stderr.strip().splitlines()
    return lines[lines.index(HEADER) :]


def test_production_settings_start_when_everything_is_set():
    out = _production()
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1])["email"] == "jinseed.mail.SmtpBackend"


def test_production_refuses_with_one_line_per_problem_when_nothing_is_set():
    out = _production(drop=set(PRODUCTION) - {"DEBUG"})
    assert _refusal(out) == [
        HEADER,
        PROBLEMS["SECRET_KEY"],
        PROBLEMS["FIELD_ENCRYPTION_KEYS"],
        PROBLEMS["ID_NUMBER_HASH_KEY"],
        PROBLEMS["CERTIFICATE_SIGNING_KEY"],
        PROBLEMS["ALLOWED_HOSTS"],
        PROBLEMS["SITE_URL"],
        PROBLEMS["DEFAULT_FROM_EMAIL"],
        PROBLEMS["EMAIL_HOST"],
        PROBLEMS["SMS_BACKEND"],
    ]


def test_production_is_the_default_without_debug_in_the_environment():
    env = {k: v for k, v in os.environ.items() if k not in _CHECKED}
    env["DJANGO_SETTINGS_MODULE"] = "jinseed.settings"
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert HEADER in _refusal(out)


@pytest.mark.parametrize(
    ("env", "drop", "problem"),
    [
        ({"SECRET_KEY": "too-short-0123456789"}, (), "SECRET_KEY"),
        (
            {"SECRET_KEY": "django-insecure-jinseed-development-only-key-do-not-use-in-production"},
            (),
            "SECRET_KEY",
        ),
        ({}, ("FIELD_ENCRYPTION_KEY",), "FIELD_ENCRYPTION_KEYS"),
        ({"FIELD_ENCRYPTION_KEYS": "not-a-fernet-key"}, ("FIELD_ENCRYPTION_KEY",), "bad_fernet"),
        (
            {"FIELD_ENCRYPTION_KEYS": "Zm9yLXRlc3RzLW9ubHktYS1uZXctZmVybmV0LWtleSE="},
            (),
            "FIELD_ENCRYPTION_KEY",
        ),
        ({}, ("ID_NUMBER_HASH_KEY",), "ID_NUMBER_HASH_KEY"),
        ({"CERTIFICATE_SIGNING_KEY": "short"}, (), "CERTIFICATE_SIGNING_KEY"),
        ({}, ("ALLOWED_HOSTS",), "ALLOWED_HOSTS"),
        ({}, ("SITE_URL",), "SITE_URL"),
        ({"SITE_URL": "http://127.0.0.1:8000"}, (), "SITE_URL"),
        ({"TRUSTED_PROXIES": "10.0.0.0/8,nginx.local"}, (), "TRUSTED_PROXIES"),
        ({}, ("DEFAULT_FROM_EMAIL",), "DEFAULT_FROM_EMAIL"),
        ({}, ("EMAIL_HOST",), "EMAIL_HOST"),
        ({}, ("SMS_BACKEND", "SMS_GATEWAY_URL"), "SMS_BACKEND"),
    ],
)
def test_production_refuses_each_missing_or_development_value(env, drop, problem):
    assert _refusal(_production(drop=drop, **env)) == [HEADER, PROBLEMS[problem]]


def test_production_accepts_a_key_list_that_keeps_the_single_key():
    new_key = "Zm9yLXRlc3RzLW9ubHktYS1uZXctZmVybmV0LWtleSE="
    out = _production(FIELD_ENCRYPTION_KEYS=f"{new_key},{PRODUCTION['FIELD_ENCRYPTION_KEY']}")
    assert out.returncode == 0, out.stderr


LISTS_PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps([settings.SECRET_KEY_FALLBACKS, settings.FIELD_ENCRYPTION_KEYS, "
    "settings.CERTIFICATE_SIGNING_KEY_FALLBACKS, settings.TRUSTED_PROXIES]))"
)


def test_settings_read_key_lists_and_proxies_from_the_environment():
    env = {k: v for k, v in os.environ.items() if k not in _CHECKED}
    env.update(
        DEBUG="true",
        DJANGO_SETTINGS_MODULE="jinseed.settings",
        SECRET_KEY_FALLBACKS="old-secret-one,old-secret-two",
        FIELD_ENCRYPTION_KEY="single-key",
        CERTIFICATE_SIGNING_KEY_FALLBACKS="old-signing-key",
        TRUSTED_PROXIES="10.0.0.5, 172.16.0.0/12",
    )
    out = subprocess.run(
        [sys.executable, "-c", LISTS_PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [
        ["old-secret-one", "old-secret-two"],
        ["single-key"],
        ["old-signing-key"],
        ["10.0.0.5", "172.16.0.0/12"],
    ]


def test_settings_pass_the_deploy_check_without_debug():
    """With DEBUG off, HTTPS is enforced (redirect, HSTS with subdomains) and every cookie is
    secure: the one warning left is HSTS preloading, a deployment's own decision (docs/personal-data.md, "Security")."""
    # Production's own environment: none of the test run's (the browser tests allow async
    # ORM calls, which the deploy check rightly refuses).
    env = {k: v for k, v in os.environ.items() if k not in _CHECKED and not k.startswith(("SECURE_", "SMS_"))}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(PRODUCTION)
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
