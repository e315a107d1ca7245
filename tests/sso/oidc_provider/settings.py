"""Settings of the test identity provider, a Django project of its own.

``__main__`` sets the environment this reads (port, data directory, signing key)
before Django starts; the module is never imported by Internly's own settings.
"""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def _required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set: start the provider with "
            "`python -m tests.sso.oidc_provider --port N --data DIR`"
        )
    return value


PORT = int(_required_env("OIDC_PROVIDER_PORT"))
DATA_DIR = Path(_required_env("OIDC_PROVIDER_DATA_DIR"))
ISSUER = f"http://127.0.0.1:{PORT}/o"

# A fresh secret per process: nothing signed by one run has to be read by another.
SECRET_KEY = secrets.token_urlsafe(50)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "oauth2_provider",
    "tests.sso.oidc_provider",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "tests.sso.oidc_provider.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "provider.sqlite3",
        # The server is threaded; wait for a concurrent writer instead of failing.
        "OPTIONS": {"timeout": 20},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Test users need no password strength, and the default hasher costs ~0.3 s a login.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

USE_TZ = True
TIME_ZONE = "UTC"

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/accounts/login/"

# Browsers scope cookies by host, not by port: Internly's test server also runs on
# 127.0.0.1, so the provider's cookies need names of their own or the two sites would
# overwrite each other's session and CSRF cookies.
SESSION_COOKIE_NAME = "oidc_provider_sessionid"
CSRF_COOKIE_NAME = "oidc_provider_csrftoken"

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": ISSUER,
    "OIDC_RSA_PRIVATE_KEY": _required_env("OIDC_PROVIDER_RSA_KEY"),
    "OAUTH2_VALIDATOR_CLASS": "tests.sso.oidc_provider.views.ModeAwareValidator",
    "SCOPES": {
        "openid": "OpenID Connect",
        "email": "Email address",
        "profile": "Name and study details",
    },
    "DEFAULT_SCOPES": ["openid"],
    # The relying party under test runs on plain http on the loopback interface.
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
    # allauth may or may not send PKCE; both must work.
    "PKCE_REQUIRED": False,
}

# Everything goes to stderr, which the harness writes to oidc_provider.log in the
# data directory: oauthlib's debug lines say why a token request was refused.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "oauthlib": {"handlers": ["console"], "level": "DEBUG", "propagate": False},
        "oauth2_provider": {"handlers": ["console"], "level": "DEBUG", "propagate": False},
    },
}
