"""Where a secret could be kept (the cache, local memory or Redis) and the forms a code takes,
for tests that nothing secret is kept anywhere."""

from django.core.cache import cache

from accesscodes import codeformat


def cache_contents() -> bytes:
    """Every key and value in the cache, local memory or Redis, as bytes."""
    stored = cache._cache
    if isinstance(stored, dict):  # local memory
        return repr(list(stored)).encode() + b"".join(stored.values())
    redis = stored.get_client()
    keys = redis.keys("*")
    values = redis.mget(keys) if keys else []
    return b"".join(keys) + b"".join(value or b"" for value in values)


def forms_of(plain: str) -> list[str]:
    """A code as printed, canonical, in lower case and with spaces: any of them is a leak."""
    canonical = codeformat.canonical(plain)
    return [plain, canonical, plain.lower(), canonical.lower(), " ".join(plain.split("-"))]
