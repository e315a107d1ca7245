"""gunicorn settings for the production shape (Dockerfile, docker-compose.yml).

gunicorn reads ``./gunicorn.conf.py`` by itself; the image names it with ``-c`` as well.
The settings turn DEBUG on when DJANGO_DEBUG is absent, which keeps ``make run``
convenient; a production server must not inherit that by accident, so gunicorn refuses
to start in debug mode unless DJANGO_DEBUG asks for it explicitly.
"""

import os

bind = "0.0.0.0:8000"
accesslog = "-"

# Which peers gunicorn believes about the scheme (X-Forwarded-Proto): the same rule as
# Django's, from DJANGO_TRUSTED_PROXY_COUNT. Without a proxy of ours, no peer. Behind one,
# any peer, because only the proxy can reach gunicorn (docker-compose.yml publishes the
# proxy alone and the proxy's address is not fixed); FORWARDED_ALLOW_IPS narrows that to
# the proxy's own addresses where they are known.
if int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT") or 0) > 0:
    forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or "*"
else:
    forwarded_allow_ips = ""
# A trusted peer may otherwise set SCRIPT_NAME and PATH_INFO through request headers,
# which a proxy passes on from the client; the site is never mounted under a prefix.
forwarder_headers = ""


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
