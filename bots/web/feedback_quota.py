"""Quotas on feedback posts: per client address and for everyone together, so replaying votes
cannot flood the review queue or fill the database (bots.feedback keeps each client to its share).

Counted in the `limits` storage the app already uses: this process's memory, or Redis in the
deployment mode so every worker counts against the same windows. A refusal is a 429 with one
Vietnamese line saying which quota and how long to wait.
"""

from __future__ import annotations

import logging
import math
import time

from fastapi import Request
from limits import RateLimitItem, parse
from limits.storage import Storage
from limits.strategies import MovingWindowRateLimiter
from redis import RedisError

from bots.web.ratelimit import ClientRateLimit, RateLimitExceeded
from cchc.errors import CchcError

logger = logging.getLogger(__name__)

_UNITS = {"second": "giây", "minute": "phút", "hour": "giờ", "day": "ngày", "month": "tháng", "year": "năm"}
_SCOPE = "feedback-quota"
_EVERYONE = "*"


def _item(limit: str, setting: str) -> RateLimitItem:
    try:
        return parse(limit)
    except ValueError as exc:
        raise CchcError(f"{setting} «{limit}» không hợp lệ; hãy viết dạng «30/hour».") from exc


def describe(item: RateLimitItem) -> str:
    """"30/hour" -> "30 góp ý mỗi giờ"."""
    unit = _UNITS.get(item.GRANULARITY.name, item.GRANULARITY.name)
    every = f"{item.multiples} {unit}" if item.multiples > 1 else unit
    return f"{item.amount} góp ý mỗi {every}"


def wait_text(seconds: int) -> str:
    return f"{seconds} giây" if seconds < 90 else f"{math.ceil(seconds / 60)} phút"


class FeedbackQuota:
    def __init__(self, per_client: str, overall: str, storage: Storage):
        self.per_client = _item(per_client, "CCHC_FEEDBACK_PER_CLIENT")
        self.overall = _item(overall, "CCHC_FEEDBACK_OVERALL")
        self._limiter = MovingWindowRateLimiter(storage)

    def check(self, request: Request) -> None:
        """Count one post; RateLimitExceeded (with its Vietnamese message) once a quota is used up.
        Both windows are tested before either is counted, so a refused post uses up nothing."""
        client = ClientRateLimit.client_of(request)
        try:
            if not self._limiter.test(self.overall, _SCOPE, _EVERYONE):
                self._refuse(self.overall, _EVERYONE, "Hệ thống đang nhận quá nhiều góp ý cùng lúc. Xin thử lại sau {wait}.")
            if not self._limiter.test(self.per_client, _SCOPE, client):
                self._refuse(self.per_client, client,
                             f"Bạn đã gửi quá nhiều góp ý (tối đa {describe(self.per_client)}). Xin thử lại sau {{wait}}.")
            self._limiter.hit(self.overall, _SCOPE, _EVERYONE)
            self._limiter.hit(self.per_client, _SCOPE, client)
        except RedisError as exc:  # a quota must not stop the service; the size share still holds
            logger.warning("Feedback quota not counted: %s", exc)

    def _refuse(self, item: RateLimitItem, who: str, message: str) -> None:
        reset_at = self._limiter.get_window_stats(item, _SCOPE, who).reset_time
        retry_after = max(1, math.ceil(reset_at - time.time()))
        raise RateLimitExceeded(retry_after, str(item), message=message.format(wait=wait_text(retry_after)))
