"""Per-client rate limit (settings.rate_limit, `limits` notation such as "30/minute").

Clients are keyed by `request.client.host` only; this module never reads X-Forwarded-For. Behind a
reverse proxy, the operator names the proxy in CCHC_FORWARDED_ALLOW_IPS and uvicorn rewrites the
client address from X-Forwarded-For for connections from it only. By default no proxy is trusted,
so nobody (not even a local process) can choose the address they are counted under.
"""

from __future__ import annotations

import logging
import math
import time

from fastapi import Request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage
from limits.strategies import MovingWindowRateLimiter
from redis import RedisError

from cchc.errors import CchcError

logger = logging.getLogger(__name__)


class RateLimitExceeded(Exception):
    def __init__(self, retry_after: int, limit: str, message: str | None = None):
        super().__init__(f"rate limit {limit} exceeded")
        self.retry_after = retry_after
        self.limit = limit
        self.message = message  # Vietnamese, when the limit has its own words (feedback quotas)


class ClientRateLimit:
    """One moving window per client and scope, in `storage`: this process's memory by default,
    Redis in the deployment mode so that every worker counts against the same window."""

    def __init__(self, limit: str, setting: str = "CCHC_RATE_LIMIT", storage: Storage | None = None):
        try:
            self.item: RateLimitItem = parse(limit)
        except ValueError as exc:
            raise CchcError(f"{setting} «{limit}» không hợp lệ; hãy viết dạng «30/minute».") from exc
        self.limit = limit
        self._limiter = MovingWindowRateLimiter(storage or MemoryStorage())

    @staticmethod
    def client_of(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    def check(self, request: Request, scope: str) -> None:
        """Count one hit; RateLimitExceeded once the client's window is full. With the shared
        storage unreachable the request goes through (logged): a limit must not stop the service."""
        client = self.client_of(request)
        try:
            allowed = self._limiter.hit(self.item, scope, client)
        except RedisError as exc:
            logger.warning("Rate limit not counted (%s): %s", scope, exc)
            return
        if not allowed:
            self._refuse(client, scope)

    def ensure_left(self, request: Request, scope: str) -> None:
        """RateLimitExceeded if the window is already full, without counting a hit."""
        client = self.client_of(request)
        try:
            allowed = self._limiter.test(self.item, scope, client)
        except RedisError as exc:
            logger.warning("Rate limit not checked (%s): %s", scope, exc)
            return
        if not allowed:
            self._refuse(client, scope)

    def _refuse(self, client: str, scope: str) -> None:
        reset_at = self._limiter.get_window_stats(self.item, scope, client).reset_time
        raise RateLimitExceeded(retry_after=max(1, math.ceil(reset_at - time.time())), limit=self.limit)
