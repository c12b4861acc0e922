"""Settings for the Golden Seed portal, all read from the environment.

Production is the default: with ``DEBUG`` off, start-up refuses a missing key or a development
default, listing every problem at once (``_require`` below collects them, the end of this
module raises). ``DEBUG=true`` switches development on (``make run``, ``make test`` and CI set
it): SQLite in the project folder, Celery tasks run eagerly in-process, mail written to
``var/mail``, demo data. Setting ``DATABASE_URL``, ``CELERY_BROKER_URL`` and ``EMAIL_HOST``
switches to PostgreSQL, Redis with a real worker and SMTP. docs/settings.md lists every
variable read here.
"""

from ipaddress import ip_network
from pathlib import Path

import django_stubs_ext
import environ
from celery.schedules import crontab
from cryptography.fernet import Fernet
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from jinseed.logconfig import logging_config
from jinseed.observability import sentry_setup
from jinseed.storage import storages_from_env

# Generic Django classes (QuerySet[Post], UploadedFile[bytes]) in annotations that run.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Off unless switched on: a server started without DEBUG=true is production.
DEBUG = env.bool("DEBUG", default=False)


def _env_list(name: str, default: list[str] | None = None) -> list[str]:
    """A comma-separated variable as a list, each item stripped of spaces, empty items dropped."""
    return [item.strip() for item in env.list(name, default=default or []) if item.strip()]


# What production lacks, one line per problem, raised together at the end of this module.
_problems: list[str] = []


def _require(ok: object, problem: str) -> None:
    """With DEBUG off, note ``problem`` unless ``ok``; development accepts its defaults."""
    if not DEBUG and not ok:
        _problems.append(problem)


_DEV_SECRET = "django-insecure-jinseed-development-only-key-do-not-use-in-production"  # noqa: S105 - refused below when DEBUG is off
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET)
_require(
    SECRET_KEY != _DEV_SECRET and len(SECRET_KEY) >= 40,
    "SECRET_KEY: set a random string of 40+ characters (not the development key).",
)
# Earlier SECRET_KEYs, still accepted for what they signed (sessions, password-reset links)
# while a new SECRET_KEY rolls out: put the old key here, the new one in SECRET_KEY.
SECRET_KEY_FALLBACKS = _env_list("SECRET_KEY_FALLBACKS")

# Keys for the resident ID number: Fernet keys encrypt it (the first encrypts, every one
# decrypts, so a new key goes first and the old one stays until ``manage.py reencrypt_fields``
# has run), and a separate key makes the keyed hash that keeps it unique. In development both
# are derived from SECRET_KEY; production sets them, so that rotating SECRET_KEY loses nothing.
# FIELD_ENCRYPTION_KEY (one key) is read as a list of one.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")
FIELD_ENCRYPTION_KEYS = _env_list("FIELD_ENCRYPTION_KEYS")
if FIELD_ENCRYPTION_KEY and not FIELD_ENCRYPTION_KEYS:
    FIELD_ENCRYPTION_KEYS = [FIELD_ENCRYPTION_KEY]
ID_NUMBER_HASH_KEY = env.str("ID_NUMBER_HASH_KEY", default="")


def _is_fernet_key(key: str) -> bool:
    try:
        Fernet(key)
    except ValueError:
        return False
    return True


_require(
    FIELD_ENCRYPTION_KEYS,
    "FIELD_ENCRYPTION_KEYS (or FIELD_ENCRYPTION_KEY): set a Fernet key, so that stored ID numbers do not "
    "depend on SECRET_KEY (make one with: python -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())').",
)
_require(
    all(_is_fernet_key(key) for key in FIELD_ENCRYPTION_KEYS),
    "FIELD_ENCRYPTION_KEYS: every key must be a Fernet key (32 url-safe base64-encoded bytes).",
)
_require(
    not FIELD_ENCRYPTION_KEY or FIELD_ENCRYPTION_KEY in FIELD_ENCRYPTION_KEYS,
    "FIELD_ENCRYPTION_KEY is not among FIELD_ENCRYPTION_KEYS: keep it in the list (second, while a new key "
    "takes over) or unset it, or what it encrypted can no longer be read.",
)
_require(ID_NUMBER_HASH_KEY, "ID_NUMBER_HASH_KEY: set a random string, the key of the ID numbers' uniqueness hash.")

# Certificate verification codes carry a keyed check made with this key, not SECRET_KEY, so
# rotating SECRET_KEY keeps every issued certificate's code valid. Codes checked against the
# fallbacks too, while a new signing key takes over. In development it is derived from
# SECRET_KEY, exactly as codes were made before it existed.
CERTIFICATE_SIGNING_KEY = env.str("CERTIFICATE_SIGNING_KEY", default="")
CERTIFICATE_SIGNING_KEY_FALLBACKS = _env_list("CERTIFICATE_SIGNING_KEY_FALLBACKS")
_require(
    len(CERTIFICATE_SIGNING_KEY) >= 32,
    "CERTIFICATE_SIGNING_KEY: set a random string of 32+ characters; it signs certificate verification codes, "
    "which must stay valid when SECRET_KEY changes.",
)

_DEV_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", default=_DEV_HOSTS if DEBUG else [])
_require(ALLOWED_HOSTS, "ALLOWED_HOSTS: set the host name(s) the portal is served under, comma-separated.")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS")
_DEV_SITE_URL = "http://127.0.0.1:8000"
SITE_URL = env.str("SITE_URL", default=_DEV_SITE_URL if DEBUG else "")
_require(
    SITE_URL and SITE_URL != _DEV_SITE_URL,
    "SITE_URL: set the portal's public address (https://…): links in mail, SMS and certificates use it.",
)
# The reverse proxies in front of the portal (addresses or networks, comma-separated): only
# from these is X-Forwarded-For read to find the client's address (jinseed/clientaddr.py).
TRUSTED_PROXIES = _env_list("TRUSTED_PROXIES")


def _is_network(entry: str) -> bool:
    try:
        ip_network(entry.strip(), strict=False)
    except ValueError:
        return False
    return True


_require(
    all(_is_network(entry) for entry in TRUSTED_PROXIES),
    "TRUSTED_PROXIES: every entry must be an IP address or a network (10.0.0.5, 10.0.0.0/24, fd00::/8).",
)

INSTALLED_APPS = [
    "jinseed.accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # PostgreSQL's own index features (positions.models.keyword_index: a trigram index on an
    # expression needs its operator class placed by this app); on SQLite it does nothing.
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "rules.apps.AutodiscoverRulesConfig",
    "jinseed.accounts.axes_apps.LoginLockoutsConfig",  # django-axes, named for the admin
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "jinseed.audit",
    "csp",
    "health_check",
    "jinseed.notifications",
    "jinseed.jobs",
    "positions",
    "applicants",
    "placements",
]
# Demo data and benchmarks (``seed_demo``, ``bench_*``): development and tests only.
DEVTOOLS = env.bool("DEVTOOLS", default=DEBUG)
if DEVTOOLS:
    INSTALLED_APPS.append("jinseed.devtools")

MIDDLEWARE = [
    # First: every line logged for a request carries its id (jinseed/logconfig.py).
    "jinseed.requestid.RequestIdMiddleware",
    # Then a body larger than any upload is refused (413) before a byte of it is read.
    "jinseed.bodylimit.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Past capacity, a request that queued longer than REQUEST_QUEUE_DEADLINE_MS behind nginx
    # is answered 503 "try again" at once, without touching the database (jinseed/overload.py).
    "jinseed.overload.RequestQueueDeadlineMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Chinese unless this browser chose English with the switcher: Accept-Language is ignored.
    "jinseed.accounts.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jinseed.accounts.middleware.UserLanguageMiddleware",
    # Staff and coordinators (and anyone who turned it on) pass the second factor before any page.
    "jinseed.accounts.middleware.SecondFactorMiddleware",
    # Configuration history (django-simple-history) records the signed-in user as its author.
    "simple_history.middleware.HistoryRequestMiddleware",
    # A new privacy notice version: signed-in people accept it before going on.
    "jinseed.accounts.middleware.PrivacyNoticeConsentMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A database still locked after the busy timeout: a "try again" page instead of a 500.
    "jinseed.busy.DatabaseBusyMiddleware",
    # Last, as django-axes asks: it turns a lock-out into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jinseed.urls"
WSGI_APPLICATION = "jinseed.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["jinseed.templatetags"],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes. Every transaction takes the write lock
    # when it begins (IMMEDIATE), so two requests that read then write (two submits of one
    # form, two accepts) queue up for up to ``timeout`` seconds instead of the second failing
    # with "database is locked" when it tries to write; the second then sees what the first
    # did and gets the service's own message. PostgreSQL keeps its row locks.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
elif env.bool("DATABASE_POOL", default=False):
    # A pool of connections per process (psycopg_pool through Django): gunicorn's threads
    # share a few connections, and a request that cannot get one within the timeout fails
    # instead of queueing for ever. Django's pool needs CONN_MAX_AGE=0.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=4),
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10),
    }
else:
    # One persistent connection per process (or thread), kept CONN_MAX_AGE seconds.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "jinseed.accounts.backends.EmailOrMobileBackend",
]
# Relations read with the signed-in user, in the one query every signed-in request makes for
# them (jinseed.accounts.backends): every page of a student reads their profile.
AUTH_USER_SELECT_RELATED = ["student_profile"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Email is unique case-insensitively through the constraint ``user_email_ci_unique`` (on
# Lower(email)), which Django's check for a plain ``unique=True`` cannot see.
SILENCED_SYSTEM_CHECKS = [
    "auth.W004",
    # axes.W006 asks for "ip_address" among AXES_LOCKOUT_PARAMETERS; the address is locked by
    # jinseed.accounts.lockout.AccountAndAddressHandler instead, over all accounts at once.
    "axes.W006",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-axes: lock an account on one address, never a whole campus behind one NAT. The
# account is counted whatever spelling of it was typed (email in any case, mobile number):
# see jinseed/accounts/lockout.py.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
# Per account from any address (the username callable maps every spelling to the account),
# and per address after many failures over all accounts: see jinseed.accounts.lockout.
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_HANDLER = "jinseed.accounts.lockout.AccountAndAddressHandler"
# The client's address behind the trusted reverse proxies, not the proxy's own.
AXES_CLIENT_IP_CALLABLE = "jinseed.clientaddr.client_address"
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=30)
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "jinseed.accounts.lockout.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# Second factor (jinseed.accounts.twofactor): the name authenticator apps show, and the wait
# after a wrong code (1, 2, 4, 8 … seconds times the factor, counted on the device).
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="金种子培育计划")
OTP_TOTP_THROTTLE_FACTOR = env.int("OTP_THROTTLE_FACTOR", default=1)
OTP_STATIC_THROTTLE_FACTOR = OTP_TOTP_THROTTLE_FACTOR
# The admin never shows a device's secret (nor its QR code) once it exists.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Configuration history (jinseed/history.py): shown in the admin, never reverted from there.
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Personal data (docs/personal-data.md) ------------------------------------------------
# The version of the privacy notice (templates/applicants/privacy.html): a new one asks every
# signed-in person to accept it again before they go on.
PRIVACY_NOTICE_VERSION = env.str("PRIVACY_NOTICE_VERSION", default="2026-1")
# One-time codes proving a mobile number or email address: lifetime, wrong tries that lock a
# code, and how many may be sent per number/address and per IP address.
VERIFICATION_CODE_TTL_SECONDS = env.int("VERIFICATION_CODE_TTL_SECONDS", default=10 * 60)
# A student may cancel or move an interview they booked until this many hours before it.
INTERVIEW_STUDENT_CHANGE_HOURS = env.int("INTERVIEW_STUDENT_CHANGE_HOURS", default=24)
VERIFICATION_MAX_ATTEMPTS = env.int("VERIFICATION_MAX_ATTEMPTS", default=5)
VERIFICATION_TARGET_INTERVAL_SECONDS = env.int("VERIFICATION_TARGET_INTERVAL_SECONDS", default=60)
VERIFICATION_TARGET_PER_HOUR = env.int("VERIFICATION_TARGET_PER_HOUR", default=5)
VERIFICATION_IP_PER_HOUR = env.int("VERIFICATION_IP_PER_HOUR", default=20)
# Password-reset mails per hour to one address and from one client address, and new
# registrations per hour from one client address (jinseed.accounts.ratelimit).
PASSWORD_RESET_TARGET_PER_HOUR = env.int("PASSWORD_RESET_TARGET_PER_HOUR", default=3)
PASSWORD_RESET_IP_PER_HOUR = env.int("PASSWORD_RESET_IP_PER_HOUR", default=20)
REGISTRATION_IP_PER_HOUR = env.int("REGISTRATION_IP_PER_HOUR", default=10)
# A student's request to delete the account waits this many days (they may cancel) before
# the beat task erases it; the link to a personal data copy is valid this many days.
ACCOUNT_DELETION_GRACE_DAYS = env.int("ACCOUNT_DELETION_GRACE_DAYS", default=7)
PERSONAL_DATA_LINK_DAYS = env.int("PERSONAL_DATA_LINK_DAYS", default=7)

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ---------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Private files (résumés) live outside MEDIA_URL: they are served only through views
# that check who is asking.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
RESUME_MAX_BYTES = 5 * 1024 * 1024
# Post sheets staff import (positions.imports): checked before a byte is parsed.
POST_IMPORT_MAX_BYTES = 5 * 1024 * 1024
POST_IMPORT_MAX_ROWS = 5000
# The largest request body taken at all (jinseed.bodylimit): the largest upload and a margin
# for the rest of its form. A larger declared Content-Length is answered 413 unread.
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=max(RESUME_MAX_BYTES, POST_IMPORT_MAX_BYTES) + 1024 * 1024)
# Behind nginx (which stamps X-Request-Start, deploy/nginx/jinseed.conf): a request that
# waited longer than this many milliseconds before reaching the portal is refused with 503
# and Retry-After instead of being served to a client that has likely given up
# (jinseed/overload.py). 0 turns it off.
REQUEST_QUEUE_DEADLINE_MS = env.int("REQUEST_QUEUE_DEADLINE_MS", default=1000)
REQUEST_QUEUE_RETRY_AFTER_SECONDS = env.int("REQUEST_QUEUE_RETRY_AFTER_SECONDS", default=5)
# Cells read at most (rows × columns as stored, empty ones included): a sheet past it is
# refused while it is being read, before it can fill the memory.
POST_IMPORT_MAX_CELLS = env.int("POST_IMPORT_MAX_CELLS", default=200_000)

# --- Mail ------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="金种子培育计划 <noreply@jinseed.local>" if DEBUG else "")
_require(DEFAULT_FROM_EMAIL, "DEFAULT_FROM_EMAIL: set the sender of the portal's mail (金种子培育计划 <noreply@…>).")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The programme office: replies to every message go there (Reply-To), and it is the organiser
# of interview invitations in the students' calendars. Defaults to the sender's address.
PROGRAMME_OFFICE_EMAIL = env.str("PROGRAMME_OFFICE_EMAIL", default="") or DEFAULT_FROM_EMAIL
REPLY_TO_EMAIL = env.str("REPLY_TO_EMAIL", default="") or PROGRAMME_OFFICE_EMAIL
EMAIL_HOST = env.str("EMAIL_HOST", default="")
_require(EMAIL_HOST, "EMAIL_HOST: set the SMTP server; without it mail is only written to files and nobody gets it.")
if EMAIL_HOST:
    EMAIL_BACKEND = "jinseed.mail.SmtpBackend"
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
    EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
    EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
else:
    EMAIL_BACKEND = "jinseed.mail.LoggingFileBackend"
    EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=VAR_DIR / "mail")

# --- SMS ---------------------------------------------------------------------------------------
SMS_BACKEND = env.str("SMS_BACKEND", default="jinseed.notifications.sms.LoggingSmsBackend")
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env.str("SMS_GATEWAY_TOKEN", default="")
# Alibaba Cloud (jinseed.notifications.sms.AlibabaSmsBackend) and Tencent Cloud
# (...TencentSmsBackend) send a registered signature and one registered template per message
# kind: SMS_TEMPLATES="interview_invitation=SMS_123,offer_made=SMS_456,..." (docs/sms.md).
# SMS_ENDPOINT and SMS_REGION default to the provider's own; an endpoint may be a URL.
SMS_ACCESS_KEY_ID = env.str("SMS_ACCESS_KEY_ID", default="")
SMS_ACCESS_KEY_SECRET = env.str("SMS_ACCESS_KEY_SECRET", default="")
SMS_SIGN_NAME = env.str("SMS_SIGN_NAME", default="")
SMS_TEMPLATES = env.dict("SMS_TEMPLATES", default={})
SMS_REGION = env.str("SMS_REGION", default="")
SMS_ENDPOINT = env.str("SMS_ENDPOINT", default="")
SMS_TENCENT_SDK_APP_ID = env.str("SMS_TENCENT_SDK_APP_ID", default="")
# The longest text variable (a name, a post title) the account's templates accept; 0 keeps the
# provider's default (Alibaba 35, Tencent 12).
SMS_PARAM_MAX_LENGTH = env.int("SMS_PARAM_MAX_LENGTH", default=0)
SMS_TIMEOUT_SECONDS = env.int("SMS_TIMEOUT_SECONDS", default=10)
# The logging backend only writes messages to the log: production must not lose every SMS
# silently, so without DEBUG it is refused unless explicitly allowed.
SMS_ALLOW_LOGGING_BACKEND = env.bool("SMS_ALLOW_LOGGING_BACKEND", default=False)
_require(
    SMS_BACKEND != "jinseed.notifications.sms.LoggingSmsBackend" or SMS_ALLOW_LOGGING_BACKEND,
    "SMS_BACKEND is the logging backend, which sends nothing: set SMS_BACKEND to "
    "jinseed.notifications.sms.AlibabaSmsBackend or jinseed.notifications.sms.TencentSmsBackend (see "
    "docs/sms.md), or set SMS_ALLOW_LOGGING_BACKEND=true to keep it on purpose.",
)

# --- Celery --------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Longest countdown or ETA we ever schedule is the notification retry back-off (at most
# one hour); the visibility timeout must exceed it or Redis would redeliver early.
CELERY_MAX_COUNTDOWN_SECONDS = 60 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task that hangs is killed before the sweeper could judge its worker dead.
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_WORKER_SEND_TASK_EVENTS = False
# Background jobs (jinseed/jobs: imports, exports) may run longer than the default limits above.
JOBS_SOFT_TIME_LIMIT_SECONDS = env.int("JOBS_SOFT_TIME_LIMIT_SECONDS", default=15 * 60)

# Notification outbox (jinseed/notifications): retries, and when the sweeper steps in.
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=6)
NOTIFICATION_RETRY_BASE_SECONDS = env.int("NOTIFICATION_RETRY_BASE_SECONDS", default=60)
# QUEUED past its time and not published for this long, or SENDING for this long: the broker
# message or the worker was lost, and the sweeper publishes the row again. Longer than
# CELERY_TASK_TIME_LIMIT, so a slow but live worker is never overtaken.
NOTIFICATION_STUCK_AFTER_SECONDS = env.int("NOTIFICATION_STUCK_AFTER_SECONDS", default=10 * 60)
NOTIFICATION_SWEEP_BATCH = env.int("NOTIFICATION_SWEEP_BATCH", default=2000)
# Rows per broker message and per delivery task, sent over one SMTP connection.
NOTIFICATION_BATCH_SIZE = env.int("NOTIFICATION_BATCH_SIZE", default=50)
NOTIFICATION_SWEEP_INTERVAL_SECONDS = env.int("NOTIFICATION_SWEEP_INTERVAL_SECONDS", default=60)

CELERY_BEAT_SCHEDULE: dict = {
    "notifications-sweep": {
        "task": "jinseed.notifications.tasks.notification_sweep_task",
        "schedule": NOTIFICATION_SWEEP_INTERVAL_SECONDS,
        "options": {"expires": NOTIFICATION_SWEEP_INTERVAL_SECONDS},
    },
    "notifications-hooks-frequent": {
        "task": "jinseed.notifications.tasks.notification_hooks_run",
        "schedule": 15 * 60,
        "args": ("frequent",),
        "options": {"expires": 15 * 60},
    },
    "notifications-hooks-daily": {
        "task": "jinseed.notifications.tasks.notification_hooks_run",
        "schedule": crontab(hour=7, minute=30),
        "args": ("daily",),
    },
}

# --- Cache ---------------------------------------------------------------------------------------
# Figures worth keeping a while (the office dashboard). Each process keeps its own by default;
# CACHE_URL (e.g. redis://127.0.0.1:6379/1) shares one cache between web processes.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# Age after which the dashboard's figures are counted again by a worker (the page shows the old ones meanwhile).
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=5 * 60)
# How long the public pages' shared fragments are kept (positions.pagecache): a change to what
# they show is seen at once whatever this is; it bounds how long an unused entry takes room.
PUBLIC_PAGES_CACHE_SECONDS = env.int("PUBLIC_PAGES_CACHE_SECONDS", default=10 * 60)

# --- Forms and pages --------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Messages ride in a signed cookie (the session only when they outgrow it): showing "your
# application is submitted" then costs no session write, neither when it is added nor when
# the next page shows it.
MESSAGE_STORAGE = "django.contrib.messages.storage.fallback.FallbackStorage"

# Content-Security-Policy (django-csp): everything from the portal's own origin, no inline
# script or style anywhere (behaviour lives in static/js/, looks in static/css/), no plugins,
# no framing, forms post only here. ``data:`` images are Bootstrap's own SVG icons in its CSS
# and the second factor's QR code (an SVG drawn by the server, jinseed/accounts/twofactor.py).
# The admin's email previews are the one exception (jinseed/notifications/admin.py): mail
# HTML needs inline styles, and the change page frames them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Served over HTTPS only: plain HTTP is redirected, and browsers are told to remember it
    # (a month by default; raise it once the deployment is settled). The portal's own host
    # and any name under it are HTTPS only (HSTS covers names below the portal's host, never
    # its parent domain). Preloading stays a deployment's decision: it commits the whole
    # registrable domain, beyond this portal, for good (docs/personal-data.md, "Security").
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=30 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    LANGUAGE_COOKIE_SECURE = True

# --- Logs and error reports ---------------------------------------------------------------------
# One format for the web, the worker and gunicorn: ISO time with offset, level, logger,
# request or task id, message; every handler masks mainland mobile numbers (138****0001).
# The Celery worker uses this too, instead of its own (jinseed/celery.py).
LOGGING = logging_config(level=env.str("LOG_LEVEL", default="INFO"), time_zone=TIME_ZONE)
# Error reports (jinseed/observability.py), without personal data; off without a DSN.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="development" if DEBUG else "production")
SENTRY_RELEASE = env.str("SENTRY_RELEASE", default="")

# --- Selection (placements) -------------------------------------------------------------------
# Publishes held decisions at the announcement time, starts held offers' deadlines, lapses
# offers past their deadline and passes each freed place to the next ranked backup.
CELERY_BEAT_SCHEDULE["placements-offers-expire"] = {
    "task": "placements.selection.tasks.offers_expire",
    "schedule": 5 * 60,
    "options": {"expires": 5 * 60},
}

# --- Personal data (placements.privacy) -------------------------------------------------------
# Erases the accounts whose deletion request is past ACCOUNT_DELETION_GRACE_DAYS.
CELERY_BEAT_SCHEDULE["privacy-account-deletions"] = {
    "task": "placements.privacy.tasks.account_deletions_run",
    "schedule": crontab(hour=3, minute=15),
}
# --- Files holding personal data (jinseed.jobs) ------------------------------------------------
# Export files and students' data copies are deleted this many days after they were made
# (the job's row stays, noting when); the beat task looks for expired files every hour.
EXPORT_FILE_DAYS = env.int("EXPORT_FILE_DAYS", default=7)
CELERY_BEAT_SCHEDULE["jobs-files-expire"] = {
    "task": "jinseed.jobs.tasks.job_files_expire_task",
    "schedule": crontab(minute=5),
    "options": {"expires": 60 * 60},
}
# --- Retention (placements.office) ------------------------------------------------------------
# Archived cycles whose placements ended more than this many years ago: a statistics snapshot
# is stored, then applications that led to no placement are anonymised (docs/features.md, "Retention").
RETENTION_YEARS = env.int("RETENTION_YEARS", default=3)
CELERY_BEAT_SCHEDULE["placements-retention-daily"] = {
    "task": "placements.office.tasks.retention_run_task",
    "schedule": crontab(hour=3, minute=45),
}

# --- Background work: queues, broker faults, job leases, one beat (docs/background-work.md) ---------
# Long jobs (imports, exports, allocation) go to their own queue so that a long export never
# holds up a notification. A worker started without -Q consumes both queues; production may
# run a dedicated one per queue (`celery -A jinseed worker -Q jobs`, `-Q celery`).
CELERY_TASK_DEFAULT_QUEUE = "celery"
# Queue objects, as Celery keeps them: the health check asks each worker for them by name.
CELERY_TASK_QUEUES = (Queue("celery"), Queue("jobs"))
CELERY_TASK_ROUTES = {"jinseed.jobs.tasks.job_run": {"queue": "jobs"}}
# A broker that goes away (Redis restarted) is waited for, however long it takes; a task
# already running goes on (its result is recorded in the database, not through the broker).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# A running job writes ``heartbeat_at`` at least this often; one silent for JOBS_LEASE_SECONDS
# lost its worker (killed, out of memory, machine gone) and the reaper marks it interrupted.
JOBS_HEARTBEAT_SECONDS = env.int("JOBS_HEARTBEAT_SECONDS", default=30)
JOBS_LEASE_SECONDS = env.int("JOBS_LEASE_SECONDS", default=3 * 60)
JOBS_REAP_INTERVAL_SECONDS = env.int("JOBS_REAP_INTERVAL_SECONDS", default=60)
CELERY_BEAT_SCHEDULE["jobs-reap-interrupted"] = {
    "task": "jinseed.jobs.tasks.jobs_reap_task",
    "schedule": JOBS_REAP_INTERVAL_SECONDS,
    "options": {"expires": JOBS_REAP_INTERVAL_SECONDS},
}
# However many beat processes are started, one sends the schedule: it holds a lock in Redis
# (jinseed.beat), the others wait to take over. Each lock refresh extends it by BEAT_LOCK_SECONDS.
CELERY_BEAT_SCHEDULER = "jinseed.beat:LockedScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 10
BEAT_LOCK_SECONDS = env.int("BEAT_LOCK_SECONDS", default=60)

# --- File storage (jinseed/storage.py) --------------------------------------------------------------
# STORAGE_BACKEND=filesystem (default): public media under MEDIA_ROOT, private files under
# PRIVATE_MEDIA_ROOT. STORAGE_BACKEND=s3: S3-compatible object storage (Alibaba Cloud OSS, MinIO)
# with AWS_S3_ENDPOINT_URL, AWS_STORAGE_BUCKET_NAME, AWS_PRIVATE_BUCKET_NAME (or private files under
# AWS_PRIVATE_LOCATION, "private/", of the one bucket), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
# AWS_S3_REGION_NAME and AWS_S3_ADDRESSING_STYLE ("virtual" for OSS, "path" for MinIO).
STORAGES.update(storages_from_env(env))

# --- Start-up -----------------------------------------------------------------------------------
if _problems:
    raise ImproperlyConfigured(
        "DEBUG is off and these settings are not fit for production (see docs/settings.md; DEBUG=true "
        "switches development on):\n" + "\n".join(f"- {problem}" for problem in _problems)
    )
sentry_setup(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT, release=SENTRY_RELEASE)
