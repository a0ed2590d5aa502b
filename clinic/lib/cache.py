"""Django's Redis cache behind the Redis circuit breaker (clinic.lib.breaker)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache

from clinic.lib.breaker import redis_breaker

T = TypeVar("T")


class CacheUnavailable(ConnectionError):
    """Raised instead of trying Redis while the breaker is open. Callers treat it like any cache failure."""


class BreakerRedisCache(RedisCache):
    """Every call fails at once while the breaker is open; a Redis error opens it."""

    def _guarded(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if not redis_breaker.allows():
            raise CacheUnavailable("Redis is skipped for now (circuit breaker open)")
        try:
            return call(*args, **kwargs)
        except self._cache._lib.exceptions.RedisError:
            redis_breaker.trip()
            raise

    def add(self, *args: Any, **kwargs: Any) -> bool:
        return self._guarded(super().add, *args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded(super().get, *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> None:
        return self._guarded(super().set, *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> bool:
        return self._guarded(super().touch, *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> bool:
        return self._guarded(super().delete, *args, **kwargs)

    def get_many(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self._guarded(super().get_many, *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> bool:
        return self._guarded(super().has_key, *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> int:
        return self._guarded(super().incr, *args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> list[str]:
        return self._guarded(super().set_many, *args, **kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> None:
        return self._guarded(super().delete_many, *args, **kwargs)

    def clear(self) -> bool:
        return self._guarded(super().clear)
