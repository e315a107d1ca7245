"""gunicorn settings for the production shape (Dockerfile, docker-compose.yml).

gunicorn reads ``./gunicorn.conf.py`` by itself; the image names it with ``-c`` as well.
The settings turn DEBUG on when DJANGO_DEBUG is absent, which keeps ``make run``
convenient; a production server must not inherit that by accident, so gunicorn refuses
to start in debug mode unless DJANGO_DEBUG asks for it explicitly.
"""

import os

bind = "0.0.0.0:8000"
accesslog = "-"


def debug_refusal() -> str | None:
    """Why this process must not serve, or None when it may."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    from django.conf import settings

    if settings.DEBUG and not os.environ.get("DJANGO_DEBUG"):
        return (
            "DEBUG is on only because DJANGO_DEBUG is not set. Set DJANGO_DEBUG=0 for "
            "production, or DJANGO_DEBUG=1 to serve in debug mode on purpose."
        )
    return None


def on_starting(server) -> None:
    # A RuntimeError here makes gunicorn print it and exit with status 1.
    reason = debug_refusal()
    if reason:
        raise RuntimeError(reason)
