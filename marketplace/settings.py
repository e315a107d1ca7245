"""Settings, by concern. Everything comes from environment variables.

Development defaults (no variables at all) give the embedded setup: SQLite, Celery
running tasks eagerly, local-memory cache, console email, private local files. With
DJANGO_DEBUG=0 nothing secret has a default: a missing SECRET_KEY stops start-up.
"""

import os
from pathlib import Path
from typing import overload

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from core.observability.logs import logging_config
from core.observability.multiprocess import name_metric_files_by_host_and_pid

BASE_DIR = Path(__file__).resolve().parent.parent


@overload
def env(name: str, default: str) -> str: ...
@overload
def env(name: str, default: None = None) -> str | None: ...
def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = env(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# ------------------------------------------------------------------------------
# Core
# ------------------------------------------------------------------------------
DEBUG = env_bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = "Internly"
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")
SITE_ID = 1

ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6.0 default, adopted now
AUTH_USER_MODEL = "accounts.User"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.saml",
    "allauth.socialaccount.providers.openid_connect",
    "django_htmx",
    "template_partials",
    "csp",
    "django_guid",
    "django_prometheus",
    "core",
    # Request ids, metrics and Sentry (core/observability).
    "core.observability",
    "accounts",
    "projects",
    "matching",
    "marketplace",
    # Demo data and the benchmark; no product app imports it.
    "devtools",
]

MIDDLEWARE = [
    # First and last: request latency and response codes by view (django-prometheus).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # The request id (X-Request-ID) on every log line, before anything logs.
    "django_guid.middleware.guid_middleware",
    "core.observability.metrics.QueryCountMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After a write, this client reads the primary for a while (core/replica.py).
    "core.replica.ReadYourWritesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Pages are private unless a view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# ------------------------------------------------------------------------------
# Database
# ------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
# Connections are kept for a minute and checked before reuse: after a database restart
# or failover the next request reconnects by itself (no restart of web or workers).
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
# Services open their own durable transactions; request-wide atomic blocks would
# defeat that and hold locks for the whole request.
DATABASES["default"]["ATOMIC_REQUESTS"] = False
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
# Read scaling (core/replica.py), off unless set: a streaming replica of the primary for
# read-only work (anonymous browsing, dashboards, the nightly statistics). Writes, and a
# client's reads for REPLICA_PIN_SECONDS after it wrote, stay on the primary. Tests
# read the test database through "default" (MIRROR): the suite needs no replica.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=True
    )
    DATABASES["replica"]["ATOMIC_REQUESTS"] = False
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# Harmless without a replica: every query goes to "default" and the middleware unloads.
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
REPLICA_PIN_SECONDS = int(env("REPLICA_PIN_SECONDS", "15"))

# ------------------------------------------------------------------------------
# Cache, Celery
# ------------------------------------------------------------------------------
# Prometheus metric files of several processes and containers in one directory
# (PROMETHEUS_MULTIPROC_DIR): named by host and pid before any metric exists.
name_metric_files_by_host_and_pid()

REDIS_URL = env("REDIS_URL")


# Template fragments keyed by what they show ({% cache … using="fragments" %}: a card by
# its project's version, a row by its application's): a new version is a new key, so
# each process may keep its own copy, read without a network round trip.
FRAGMENT_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "OPTIONS": {"MAX_ENTRIES": 5000},
}


def redis_caches(url: str) -> dict:
    """The cache on Redis. Redis down is a miss, not an error (core/cache.py): pages,
    logins and actions go on from the database, and a host that does not answer costs
    half a second, not a hang."""
    return {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
        "fragments": FRAGMENT_CACHE,
    }


if REDIS_URL:
    CACHES = redis_caches(REDIS_URL)
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "fragments": FRAGMENT_CACHE,
    }

# Sessions are read from the cache and written through to the database: one query less
# on every logged-in page, and nobody is logged out when the cache is flushed.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Nothing reads a task's result, and queuing one whose result is kept subscribes to the
# result store first, which with Redis down retries for twenty seconds.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged only once it finished, and a worker that dies mid-task gives
# it back to the queue: together with idempotent tasks no work is lost.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Queuing a task from a request while the broker is down gives up within about a
# second; the caller logs it and a periodic sweep queues the work again (emails, data
# archives, webhook deliveries) or the next change does (placement figures).
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_DEFAULT_QUEUE = "default"
# Work is queued by kind, so a statistics run never delays an email: the compose stack
# runs a worker per queue, `make worker` one worker on all of them.
CELERY_QUEUES_BY_KIND = ("default", "email", "statistics")
CELERY_TASK_ROUTES = {
    "accounts.tasks.send_notification_email": {"queue": "email"},
    "accounts.tasks.send_user_digest": {"queue": "email"},
    "marketplace.tasks.compute_statistics": {"queue": "statistics"},
    "marketplace.tasks.refresh_dirty_placement_units": {"queue": "statistics"},
}
CELERY_TIMEZONE = TIME_ZONE

# ------------------------------------------------------------------------------
# Authentication (django-allauth)
# ------------------------------------------------------------------------------
# Django's and allauth's backends, loading the user's membership with the user (one
# query less on every employer page; see accounts/backends.py).
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.signup.SignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", "optional" if DEBUG else "mandatory")
ACCOUNT_RATE_LIMITS_ENABLED = env_bool("ACCOUNT_RATE_LIMITS_ENABLED", default=True)
# Failed logins (accounts/adapter.py): per source across accounts (allauth's own
# "login_failed", by IP only); per account *and* source, so that a stranger who knows an
# email locks out only themselves; and per account from everywhere, a brake on guessing
# spread over many addresses that one source alone cannot reach (5 in 5 minutes is 60 an
# hour). Whoever is locked out of their own account signs in with an emailed code.
LOGIN_FAILURE_RATE_LIMITS = {
    "login_failed": "10/m/ip",
    "login_failed_from_source": "5/5m/key",
    "login_failed_account": "100/h/key",
}
ACCOUNT_RATE_LIMITS = LOGIN_FAILURE_RATE_LIMITS if ACCOUNT_RATE_LIMITS_ENABLED else False
# The way back in while a password login is locked: a code mailed to the account's
# address, valid in the browser that asked for it. Mail can be slow; three tries per code
# keep guessing it hopeless.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60
# Institutions' single sign-on (accounts/social_adapter.py): the providers are built from
# InstitutionSignOn rows. The provider vouches for addresses on its institution's domains,
# so an account is made on the first sign-in without a form, and an existing account
# whose address was confirmed is signed in and linked, never duplicated.
SOCIALACCOUNT_ADAPTER = "accounts.social_adapter.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"

# ------------------------------------------------------------------------------
# Email
# ------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@internly.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ------------------------------------------------------------------------------
# Static files and uploads
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads are private: there is no MEDIA_URL route; files are served only through
# views that check permission first.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media-not-served/"

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    _file_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL"),
            "region_name": env("AWS_S3_REGION_NAME"),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }
else:
    _file_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": _file_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# ------------------------------------------------------------------------------
# Security
# ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
# An expired or missing CSRF token: a styled "this form expired, reload" page (403).
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# X-Forwarded-For and X-Forwarded-Proto are ordinary request headers that any client can
# send, so they are believed only when DJANGO_TRUSTED_PROXY_COUNT says how many proxies
# of ours stand in front of gunicorn (docker-compose.yml: 1, Caddy). With 0 the client is
# REMOTE_ADDR and the scheme is the connection's. allauth keys its rate limits by the
# address the outermost of our proxies appended, counted from the right; a forged entry
# sits further left and is never read. gunicorn.conf.py follows the same setting.
TRUSTED_PROXY_COUNT = int(env("DJANGO_TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("DJANGO_TRUSTED_PROXY_COUNT must be 0 or more.")
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    # The container health probe talks plain http to gunicorn, past the proxy.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# No inline script or style anywhere: htmx's own indicator styles are turned off in
# the base template's htmx-config meta tag and live in static/css/app.css instead.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# ------------------------------------------------------------------------------
# Logging
# ------------------------------------------------------------------------------
# Plain lines by default; LOG_FORMAT=json for a log collector. Either way each line of a
# request, and of a task it queued, carries the request's id (core/observability/logs.py).
LOGGING = logging_config(log_format=env("LOG_FORMAT", "plain"), level=env("LOG_LEVEL", "INFO"))
# The id comes from the proxy's X-Request-ID when that is a UUID (anything else is
# replaced by a new one) and is returned in the response's X-Request-ID.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "EXPOSE_HEADER": False,
}

# ------------------------------------------------------------------------------
# Product rules
# ------------------------------------------------------------------------------
INVITATION_VALID_DAYS = int(env("INVITATION_VALID_DAYS", "7"))
RESUME_MAX_BYTES = 5 * 1024 * 1024
PAY_FLOOR_PER_HOUR = int(env("PAY_FLOOR_PER_HOUR", "20"))
# Days after a project's application deadline by which every application is decided;
# still undecided then, it expires with a notice to the student.
APPLICATION_RESPONSE_DAYS = int(env("APPLICATION_RESPONSE_DAYS", "14"))
# Days after completion during which two-sided feedback stays blind.
FEEDBACK_WINDOW_DAYS = int(env("FEEDBACK_WINDOW_DAYS", "14"))
# Days a student's data archive stays downloadable; then the beat task deletes it.
DATA_EXPORT_VALID_DAYS = int(env("DATA_EXPORT_VALID_DAYS", "7"))

# Placement figures (career-office and site dashboards; see marketplace/placement.py).
# A figure or breakdown row computed from fewer than this many students shows as
# "fewer than k", and filter values held by fewer students are not offered.
PLACEMENT_MIN_CELL_SIZE = max(2, int(env("PLACEMENT_MIN_CELL_SIZE", "5")))
# Where academic years are cut for students who belong to no institution.
PLACEMENT_TIME_ZONE = env("PLACEMENT_TIME_ZONE", "America/New_York")
# A change queues the rebuild of the units it touched this many seconds later, so that a
# burst of changes is one rebuild. 0 rebuilds at once (and inline with eager Celery).
PLACEMENT_REFRESH_DELAY = int(env("PLACEMENT_REFRESH_DELAY", "60"))
# Whether changes mark their units for rebuild at all (the nightly run rebuilds every
# unit either way). The test suite turns it off except where it tests it.
PLACEMENT_TRACK_CHANGES = env_bool("PLACEMENT_TRACK_CHANGES", default=True)

# Employer webhooks (matching/services/webhooks.py). Endpoints must be https on public
# addresses; the test suite alone lets http://127.0.0.1 through, for its loopback receiver.
WEBHOOKS_ALLOW_INSECURE_LOOPBACK = env_bool("WEBHOOKS_ALLOW_INSECURE_LOOPBACK", default=False)
WEBHOOK_TIMEOUT_SECONDS = float(env("WEBHOOK_TIMEOUT_SECONDS", "10"))
# One first try plus retries; the wait doubles from WEBHOOK_RETRY_BACKOFF seconds up to
# WEBHOOK_RETRY_BACKOFF_MAX (half of it random), so eight attempts span one to two hours.
WEBHOOK_MAX_ATTEMPTS = int(env("WEBHOOK_MAX_ATTEMPTS", "8"))
WEBHOOK_RETRY_BACKOFF = int(env("WEBHOOK_RETRY_BACKOFF", "60"))
WEBHOOK_RETRY_BACKOFF_MAX = int(env("WEBHOOK_RETRY_BACKOFF_MAX", "3600"))
# Deliveries in a row that failed for good before an endpoint is disabled.
WEBHOOK_DISABLE_AFTER_FAILED_DELIVERIES = int(env("WEBHOOK_DISABLE_AFTER_FAILED_DELIVERIES", "5"))

from marketplace.beat import BEAT_SCHEDULE  # noqa: E402

CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE
