"""Database sessions with a cached copy that keep working while the cache (Redis) is down.

Django's `cached_db` backend reads through to the database when a cache read fails, but then
copies the session back into the cache without catching a failure, and looks a new key up
and deletes a session in the cache only. With Redis down, every request that reads a
session answers a raw 500 page, and nobody can sign in or out. Here the database stays the
truth and the cache a best-effort copy: a failed cache read, write, lookup or deletion is
logged (at most once a minute per process) and the database answers alone. When Redis comes
back, the next requests use it again with no restart.

Switch to it with `SESSION_ENGINE = "accesscodes.sessions"` in arcachat/settings.py.

Known limit: a session deleted while the cache is unreachable (a sign-out) keeps its copy
in Redis if Redis keeps its data through the outage (a network cut, or a restart from its
snapshot); that copy is served until it expires. The browser's cookie was replaced at the
sign-out, so only a copied cookie could use it, and a suspended or revoked code stays
refused (checked in the database on every request).
"""

from __future__ import annotations

import logging
import time

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

log = logging.getLogger("django.contrib.sessions")

WARN_EVERY_SECONDS = 60
_last_warning = 0.0


def _cache_failed(action: str, exc: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= WARN_EVERY_SECONDS:
        _last_warning = now
        log.warning("session cache unavailable (%s: %s): using the database", action, exc)


class SessionStore(CachedDBStore):
    """`cached_db` sessions where every cache failure falls back to the database."""

    def _cache_get(self, key):
        try:
            return self._cache.get(key)
        except Exception as exc:
            _cache_failed("read", exc)
            return None

    def _cache_set(self, key, value, timeout) -> None:
        try:
            self._cache.set(key, value, timeout)
        except Exception as exc:
            _cache_failed("write", exc)

    def _cache_delete(self, key) -> None:
        try:
            self._cache.delete(key)
        except Exception as exc:
            _cache_failed("delete", exc)

    def _cache_has(self, key) -> bool:
        try:
            return self._cache.has_key(key)
        except Exception as exc:
            _cache_failed("lookup", exc)
            return False

    def load(self):
        data = self._cache_get(self.cache_key)
        if data is None:
            s = self._get_session_from_db()
            if s:
                data = self.decode(s.session_data)
                self._cache_set(self.cache_key, data, self.get_expiry_age(expiry=s.expire_date))
            else:
                data = {}
        return data

    def exists(self, session_key):
        if session_key and self._cache_has(self.cache_key_prefix + session_key):
            return True
        return super(CachedDBStore, self).exists(session_key)

    def save(self, must_create=False):
        super(CachedDBStore, self).save(must_create)
        self._cache_set(self.cache_key, self._session, self.get_expiry_age())

    def delete(self, session_key=None):
        super(CachedDBStore, self).delete(session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        self._cache_delete(self.cache_key_prefix + session_key)

    # Async variants (Django's async session API): the same rules.

    async def aload(self):
        key = await self.acache_key()
        try:
            data = await self._cache.aget(key)
        except Exception as exc:
            _cache_failed("read", exc)
            data = None
        if data is None:
            s = await self._aget_session_from_db()
            if s:
                data = self.decode(s.session_data)
                try:
                    await self._cache.aset(
                        key, data, await self.aget_expiry_age(expiry=s.expire_date)
                    )
                except Exception as exc:
                    _cache_failed("write", exc)
            else:
                data = {}
        return data

    async def aexists(self, session_key):
        if session_key:
            try:
                if await self._cache.ahas_key(self.cache_key_prefix + session_key):
                    return True
            except Exception as exc:
                _cache_failed("lookup", exc)
        return await super(CachedDBStore, self).aexists(session_key)

    async def asave(self, must_create=False):
        await super(CachedDBStore, self).asave(must_create)
        try:
            await self._cache.aset(
                await self.acache_key(), self._session, await self.aget_expiry_age()
            )
        except Exception as exc:
            _cache_failed("write", exc)

    async def adelete(self, session_key=None):
        await super(CachedDBStore, self).adelete(session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        try:
            await self._cache.adelete(self.cache_key_prefix + session_key)
        except Exception as exc:
            _cache_failed("delete", exc)
