"""The shared servers of the deployment mode, built from Settings: a Redis client and `limits`
storage. Without CCHC_REDIS_URL every store stays in the process (one worker)."""

from __future__ import annotations

from typing import Any

from limits.storage import MemoryStorage, Storage, storage_from_string

from cchc.errors import CchcError
from cchc.settings import Settings

PREFIX = "cchc:"  # every key this application writes to Redis


def redis_client(settings: Settings) -> Any | None:
    """A connected redis.Redis, or None in the one-process mode; CchcError when unreachable."""
    if not settings.redis_url:
        return None
    import redis

    client = redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=5,
                                  health_check_interval=30)
    try:
        client.ping()
    except (redis.RedisError, OSError, ValueError) as exc:
        raise CchcError(f"Không kết nối được Redis ({settings.redis_url}): {exc}") from None
    return client


def limits_storage(settings: Settings) -> Storage:
    """Rate-limit windows: in Redis when configured (shared by every worker), else in memory."""
    if not settings.redis_url:
        return MemoryStorage()
    try:
        storage = storage_from_string(settings.redis_url, key_prefix=f"{PREFIX}limits")
    except Exception as exc:  # noqa: BLE001 - limits raises several kinds for a bad URI or driver
        raise CchcError(f"CCHC_REDIS_URL «{settings.redis_url}» không dùng được cho giới hạn truy cập: {exc}") from None
    return storage
