"""Plumbing for tests that run Celery or Redis clients against the real Redis: a Redis
database of their own, and a way to make the shared Celery app forget the broker it was
configured with before."""

from __future__ import annotations

from urllib.parse import urlparse, urlunparse

from django.conf import settings

from marketplace.celery import app


def redis_url_for_db(db: int) -> str:
    """The Redis of the settings (the local one when none is set), database ``db``."""
    parsed = urlparse(settings.REDIS_URL or "redis://127.0.0.1:6379/0")
    return urlunparse(parsed._replace(path=f"/{db}"))


def reset_connections() -> None:
    """Forget the broker pool, producer pool and result backend built for the previous
    configuration (the app object is shared by every test)."""
    from kombu import pools

    pools.reset()  # kombu keeps pools per connection URL process-wide
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)
