"""A Redis cache that is only ever a cache: when Redis is down, a read is a miss and a
write is skipped, so the site keeps serving from the database.

Every use of the cache here can do without it: sessions are written through to the
database (``cached_db``), counts and fragments are recomputed, and the rate limits that
count in the cache fail open while it is away (a logged warning says so). Once a call
fails, Redis is left alone for ``RETRY_AFTER`` seconds, so an outage costs one failed
connection per process every few seconds, not one per cache call.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)
RETRY_AFTER = 5.0


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
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
