"""The Redis cache that is only ever a cache: with nothing listening, every operation
answers as a miss or a skipped write (never raises) and Redis is then left alone for a
while; with Redis up it is Django's Redis cache."""

import pytest
from django.conf import settings

from core.cache import ResilientRedisCache


def cache_at(url: str) -> ResilientRedisCache:
    return ResilientRedisCache(url, {"OPTIONS": {"socket_connect_timeout": 0.5}})


def test_with_redis_unreachable_reads_miss_writes_are_skipped_and_nothing_raises():
    cache = cache_at("redis://127.0.0.1:1/0")  # nothing listens on port 1
    assert cache.available
    assert cache.get("k", "default") == "default"
    assert not cache.available  # left alone after the first failure
    assert cache.set("k", 1) is None
    assert cache.add("lock", True) is True  # a lock is granted: fail open
    assert cache.incr("count", 3) == 3  # as the first hit of a window: fail open
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("k") is False
    assert cache.delete("k") is False
    assert cache.touch("k") is False
    assert cache.set_many({"a": 1}) == []
    assert cache.delete_many(["a"]) is None
    assert cache.get_or_set("k", 5) == 5
    cache.clear()


@pytest.mark.redis
def test_with_redis_up_it_is_a_cache():
    cache = cache_at(settings.REDIS_URL.rsplit("/", 1)[0] + "/14")
    cache.clear()
    cache.set("k", {"v": 1})
    assert cache.get("k") == {"v": 1}
    assert cache.add("k", 2) is False
    assert cache.add("n", 1) is True
    assert cache.incr("n", 2) == 3
    assert cache.available
    cache.clear()


def test_a_key_part_is_short_plain_and_names_its_value():
    from core.cache import key_part

    major = "Économie & Société: année 1 " * 20  # free text, longer than a key may be
    part = key_part(("institution", 1, major))
    assert len(part) == 32 and part.isalnum() and part.isascii()
    assert part == key_part(("institution", 1, major))
    assert part != key_part(("institution", 2, major))
    assert key_part([1, 2]) != key_part([2, 1])  # a page of ids in another order


def test_cached_keeps_what_it_computed_and_never_keeps_none(db):
    from django.core.cache import cache

    from core.cache import cached

    computed: list[str] = []

    def compute(value):
        def run():
            computed.append("ran")
            return value

        return run

    assert cached("test:kept", 60, compute([1, 2])) == [1, 2]
    assert cached("test:kept", 60, compute([3])) == [1, 2]  # kept: not computed again
    assert computed == ["ran"]
    assert cached("test:none", 60, compute(None)) is None
    assert cached("test:none", 60, compute(None)) is None
    assert computed == ["ran", "ran", "ran"]  # None reads as a miss
    assert cache.get("test:kept") == [1, 2]
