"""Per-client rate limit (settings.rate_limit, `limits` notation such as "30/minute").

Clients are keyed by `request.client.host` only; this module never reads X-Forwarded-For. Behind a
reverse proxy, uvicorn's proxy-headers support (on in `serve()`) rewrites the client address from
X-Forwarded-For, and only for connections from the addresses in FORWARDED_ALLOW_IPS (default
127.0.0.1: a proxy on the same machine). Anyone else sending the header is keyed by their own
address, so the header cannot be used to dodge the limit.
"""

from __future__ import annotations

import math
import time

from fastapi import Request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from cchc.errors import CchcError


class RateLimitExceeded(Exception):
    def __init__(self, retry_after: int, limit: str):
        super().__init__(f"rate limit {limit} exceeded")
        self.retry_after = retry_after
        self.limit = limit


class ClientRateLimit:
    """One moving window per client and scope, in this process's memory (run one worker)."""

    def __init__(self, limit: str):
        try:
            self.item: RateLimitItem = parse(limit)
        except ValueError as exc:
            raise CchcError(f"CCHC_RATE_LIMIT «{limit}» không hợp lệ; hãy viết dạng «30/minute».") from exc
        self.limit = limit
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    @staticmethod
    def client_of(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    def check(self, request: Request, scope: str) -> None:
        client = self.client_of(request)
        if self._limiter.hit(self.item, scope, client):
            return
        reset_at = self._limiter.get_window_stats(self.item, scope, client).reset_time
        raise RateLimitExceeded(retry_after=max(1, math.ceil(reset_at - time.time())), limit=self.limit)
