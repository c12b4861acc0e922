"""Settings for the Golden Seed portal, all read from the environment.

Defaults give a self-contained development portal: SQLite in the project folder, Celery
tasks run eagerly in-process and mail written to ``var/mail``. Setting ``DATABASE_URL``,
``CELERY_BROKER_URL`` and ``EMAIL_HOST`` switches to PostgreSQL, Redis with a real worker
and SMTP. See README.md for the full list.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from jinseed.storage import storages_from_env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
_DEV_SECRET = "django-insecure-jinseed-development-only-key-do-not-use-in-production"  # noqa: S105 - refused below when DEBUG is off
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET)
if not DEBUG and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 40):
    raise ImproperlyConfigured("DEBUG is off: set SECRET_KEY to a random string of 40+ characters.")

# Keys for the resident ID number: one encrypts it (Fernet), one makes the keyed hash that
# keeps it unique. Both default to values derived from SECRET_KEY; production sets them
# explicitly so that rotating SECRET_KEY does not lose the data.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")
ID_NUMBER_HASH_KEY = env.str("ID_NUMBER_HASH_KEY", default="")
if not DEBUG and not (FIELD_ENCRYPTION_KEY and ID_NUMBER_HASH_KEY):
    raise ImproperlyConfigured(
        "DEBUG is off: set FIELD_ENCRYPTION_KEY (a Fernet key) and ID_NUMBER_HASH_KEY, so that stored ID "
        "numbers do not depend on SECRET_KEY."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

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
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "jinseed.audit",
    "csp",
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
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Chinese unless this browser chose English with the switcher: Accept-Language is ignored.
    "jinseed.accounts.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jinseed.accounts.middleware.UserLanguageMiddleware",
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
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "jinseed.accounts.backends.EmailOrMobileBackend",
]
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
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=30)
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "jinseed.accounts.lockout.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# --- Personal data (README, "Personal data") ------------------------------------------------
# The version of the privacy notice (templates/applicants/privacy.html): a new one asks every
# signed-in person to accept it again before they go on.
PRIVACY_NOTICE_VERSION = env.str("PRIVACY_NOTICE_VERSION", default="2026-1")
# One-time codes proving a mobile number or email address: lifetime, wrong tries that lock a
# code, and how many may be sent per number/address and per IP address.
VERIFICATION_CODE_TTL_SECONDS = env.int("VERIFICATION_CODE_TTL_SECONDS", default=10 * 60)
VERIFICATION_MAX_ATTEMPTS = env.int("VERIFICATION_MAX_ATTEMPTS", default=5)
VERIFICATION_TARGET_INTERVAL_SECONDS = env.int("VERIFICATION_TARGET_INTERVAL_SECONDS", default=60)
VERIFICATION_TARGET_PER_HOUR = env.int("VERIFICATION_TARGET_PER_HOUR", default=5)
VERIFICATION_IP_PER_HOUR = env.int("VERIFICATION_IP_PER_HOUR", default=20)
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

# --- Mail ------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="金种子培育计划 <noreply@jinseed.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env.str("EMAIL_HOST", default="")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
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
# The logging backend only writes messages to the log: production must not lose every SMS
# silently, so without DEBUG it is refused unless explicitly allowed.
SMS_ALLOW_LOGGING_BACKEND = env.bool("SMS_ALLOW_LOGGING_BACKEND", default=False)
if not DEBUG and SMS_BACKEND == "jinseed.notifications.sms.LoggingSmsBackend" and not SMS_ALLOW_LOGGING_BACKEND:
    raise ImproperlyConfigured(
        "DEBUG is off and SMS_BACKEND is the logging backend, which sends nothing: set SMS_BACKEND to "
        "jinseed.notifications.sms.HttpGatewaySmsBackend (with SMS_GATEWAY_URL and SMS_GATEWAY_TOKEN), or set "
        "SMS_ALLOW_LOGGING_BACKEND=true to keep it on purpose."
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

# --- Forms and pages --------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Content-Security-Policy (django-csp): everything from the portal's own origin, no inline
# script or style anywhere (behaviour lives in static/js/, looks in static/css/), no plugins,
# no framing, forms post only here. ``data:`` images are Bootstrap's own SVG icons in its CSS.
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
    # registrable domain, beyond this portal, for good (README, "Security").
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=30 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    LANGUAGE_COOKIE_SECURE = True

# Every handler masks mainland mobile numbers (138****0001) in whatever it writes.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_mobiles": {"()": "jinseed.logmask.MaskMobilesFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_mobiles"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

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
# --- Retention (placements.office) ------------------------------------------------------------
# Archived cycles whose placements ended more than this many years ago: a statistics snapshot
# is stored, then applications that led to no placement are anonymised (README "Retention").
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
CELERY_TASK_QUEUES = {"celery": {}, "jobs": {}}
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
