"""A Redis cache that is only ever a cache: when Redis is down, a read is a miss and a
write is skipped, so the site keeps serving from the database.

Every use of the cache here can do without it: sessions are written through to the
database (``cached_db``), counts and fragments are recomputed, and the rate limits that
count in the cache fail open while it is away (a logged warning says so). Once a call
fails, Redis is left alone for ``RETRY_AFTER`` seconds, so an outage costs one failed
connection per process every few seconds, not one per cache call.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.http import HttpResponse
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .replica import PIN_COOKIE, response_from_replica

logger = logging.getLogger(__name__)

T = TypeVar("T")
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)
RETRY_AFTER = 5.0


class _OneClientPerPool(RedisCacheClient):
    """Django's client makes a new ``redis.Redis`` for every cache call, and building one
    fills its table of reply parsers: on a page of twenty cached cards that costs more
    than the round trips. One per connection pool does the same work; a client is safe
    to share between threads, like its pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _OneClientPerPool
        self._down_until = 0.0

    def _call(self, operation: str, fallback: Any, *args, **kwargs) -> Any:
        if time.monotonic() < self._down_until:
            return fallback
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except UNAVAILABLE as error:
            self._down_until = time.monotonic() + RETRY_AFTER
            logger.warning(
                "cache unavailable (%s: %s): serving without it for %ss",
                type(error).__name__,
                error,
                RETRY_AFTER,
            )
            return fallback

    @property
    def available(self) -> bool:
        """False while a recent failure keeps Redis out of the way."""
        return time.monotonic() >= self._down_until

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # True, as if stored: a lock taken with add() (allauth's rate-limit lock) is
        # granted while Redis is away, failing open like the limits themselves.
        return self._call("add", True, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        # As if this were the first count of the window: a limit counted here lets the
        # request through while Redis is away.
        return self._call("incr", delta, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", [], data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def clear(self):
        return self._call("clear", False)


def cached(key: str, seconds: int, compute: Callable[[], T]) -> T:
    """What ``key`` holds, or else ``compute()``, kept there for ``seconds``. A value of
    None is never kept: it reads as a miss."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def key_part(value: Any) -> str:
    """``value`` as a short, plain piece of a cache key (a digest of its repr): keys must
    be short and plain, and what they name may be free text (a major) or long (a page of
    ids)."""
    return hashlib.sha256(repr(value).encode()).hexdigest()[:32]


# ------------------------------------------------------------------------------
# Values kept under a version another key holds
# ------------------------------------------------------------------------------
def get_under_version(version_key: str, key: str) -> tuple[str, Any | None]:
    """The current value of ``version_key`` ("-" when unset) and what ``key`` holds if it
    was stored under that version by ``set_under_version`` (else None), in one round
    trip. Whoever owns the data replaces the version when it changes, so a value built
    under an older one is never served, and nothing has to find and delete it."""
    found = cache.get_many([version_key, key])
    version = found.get(version_key) or "-"
    stored = found.get(key)
    if stored is not None and stored[0] == version:
        return version, stored[1]
    return version, None


def set_under_version(key: str, version: str, value: Any, timeout: int) -> None:
    cache.set(key, (version, value), timeout)


# ------------------------------------------------------------------------------
# Whole public pages for visitors who have not signed in
# ------------------------------------------------------------------------------

#: Request headers that change a public page's answer (htmx asks for a fragment).
_VARYING_HEADERS = ("HTTP_HX_REQUEST", "HTTP_HX_TARGET", "HTTP_HX_HISTORY_RESTORE_REQUEST")


def cache_public_page(*, seconds: int, version_key: str):
    """Serve a public page to visitors who have not signed in from the cache, whole.

    Anonymous visitors all see the same page for the same URL, and they are most of the
    traffic: a hit costs one cache round trip instead of the view's queries and
    templates. The page is kept beside the value of ``version_key`` it was built under,
    and both are read at once; the app owning what the page shows replaces that value
    whenever it changes (``projects.catalogue``), so a page built under an older one is
    built again and an edit is seen at once. ``seconds`` bounds what a change no signal
    reports (a bulk update) can leave stale.

    Nothing personal is ever stored: a signed-in user, a visitor with a message waiting
    for them, and a page that used a CSRF token (it belongs to one visitor) all go
    straight to the view, and only a plain 200 is kept.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not _may_share(request):
                return view(request, *args, **kwargs)
            varying = "|".join(request.META.get(header, "") for header in _VARYING_HEADERS)
            digest = hashlib.sha256(f"{request.get_full_path()}|{varying}".encode()).hexdigest()
            key = f"public-page:{view.__module__}.{view.__name__}:{digest}"
            version, stored = get_under_version(version_key, key)
            if stored is not None:
                content, headers = stored
                response = HttpResponse(content)
                for name, value in headers.items():
                    response[name] = value
                return response
            response = view(request, *args, **kwargs)
            if (
                response.status_code == 200
                and not response.streaming
                and not response.cookies
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            ):
                kept = {n: response[n] for n in ("Content-Type", "Vary") if response.has_header(n)}
                # A page read from a replica may lag a change that already has its new
                # version: keep it no longer than a writer is kept off the replica.
                lag_bound = settings.REPLICA_PIN_SECONDS
                kept_for = min(seconds, lag_bound) if response_from_replica(response) else seconds
                set_under_version(key, version, (response.content, kept), kept_for)
            return response

        return wrapped

    return decorator


def _may_share(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        # Who has just written sees their own change, not a copy from before it.
        and PIN_COOKIE not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.session.get("_messages")
    )
