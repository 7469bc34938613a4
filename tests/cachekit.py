"""What the cache holds, local memory or Redis: for tests that nothing secret is kept there."""

from django.core.cache import cache


def cache_contents() -> bytes:
    """Every key and value in the cache, local memory or Redis, as bytes."""
    stored = cache._cache
    if isinstance(stored, dict):  # local memory
        return repr(list(stored)).encode() + b"".join(stored.values())
    redis = stored.get_client()
    keys = redis.keys("*")
    values = redis.mget(keys) if keys else []
    return b"".join(keys) + b"".join(value or b"" for value in values)
