"""Admin routes are checked from the request headers, before any of the body is read.

A FastAPI dependency runs only after the body has been parsed: for a multipart upload, after the
whole file was received and spooled to disk. So the token is checked here, in a pure ASGI
middleware that answers without calling `receive`: no token 401, a wrong one 403, both counted as
failed attempts (CCHC_ADMIN_ATTEMPTS; past it every admin request gets 429, even with the right
token). Plan uploads that pass are then capped per client and in total (429 beyond), so a few
clients cannot make the server hold many files at once.
"""

from __future__ import annotations

import hmac
import threading
from collections import Counter

from fastapi import HTTPException, Request, status
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from bots.web.errors import rate_limited_response, refusal
from bots.web.ratelimit import ClientRateLimit, RateLimitExceeded

ADMIN_PREFIX = "/api/admin"
UPLOAD_PREFIX = "/api/admin/plans"
MISSING = "Cần mã quản trị: gửi tiêu đề «Authorization: Bearer <mã>»."
WRONG = "Mã quản trị không đúng."
BUSY_CLIENT = "Máy của bạn đang gửi {count} tệp kế hoạch cùng lúc (tối đa {count}); xin chờ các tệp đó xong rồi gửi tiếp."
BUSY_SERVER = "Máy chủ đang nhận nhiều tệp kế hoạch cùng lúc (tối đa {count}); xin thử lại sau ít giây."
_RETRY_SECONDS = "5"


def verify_admin(request: Request) -> None:
    """HTTPException 401 (no bearer token) or 403 (wrong token), or RateLimitExceeded once the
    client used up its failed attempts. Missing and wrong tokens both count as failed attempts."""
    settings = request.app.state.settings
    attempts: ClientRateLimit = request.app.state.admin_attempts
    # A client out of attempts is refused before its token is compared, so guessing stays slow.
    attempts.ensure_left(request, "admin")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    given = given.strip()
    if scheme.lower() != "bearer" or not given:
        attempts.check(request, "admin")
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, MISSING, headers={"WWW-Authenticate": "Bearer"})
    token = settings.admin_token.get_secret_value() if settings.admin_token else ""
    # Constant-time comparison, so response timing does not reveal how much of a guess was right.
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        attempts.check(request, "admin")
        raise HTTPException(status.HTTP_403_FORBIDDEN, WRONG)


class UploadSlots:
    """How many uploads run now, per client and in total; a request takes a slot or is refused."""

    def __init__(self, per_client: int, total: int):
        self.per_client = per_client
        self.total = total
        self._running: Counter[str] = Counter()
        self._lock = threading.Lock()

    def take(self, client: str) -> str | None:
        """None when a slot was taken, else the Vietnamese reason for refusing."""
        with self._lock:
            if self._running[client] >= self.per_client:
                return BUSY_CLIENT.format(count=self.per_client)
            if self._running.total() >= self.total:
                return BUSY_SERVER.format(count=self.total)
            self._running[client] += 1
            return None

    def give_back(self, client: str) -> None:
        with self._lock:
            self._running[client] -= 1
            if self._running[client] <= 0:
                del self._running[client]


def _app_path(scope: Scope) -> str:
    root, path = scope.get("root_path", ""), scope["path"]
    return path[len(root):] if root and path.startswith(root) else path  # uvicorn prefixes the proxy path


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


class AdminGate:
    def __init__(self, app: ASGIApp, uploads: UploadSlots):
        self.app = app
        self.uploads = uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = _app_path(scope) if scope["type"] == "http" else ""
        if not _under(path, ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        request = Request(scope)  # headers only: nothing here touches `receive`
        try:
            await run_in_threadpool(verify_admin, request)  # the attempt counter may be in Redis
        except HTTPException as exc:
            await refusal(exc.status_code, exc.detail, exc.headers)(scope, receive, send)
            return
        except RateLimitExceeded as exc:
            await rate_limited_response(exc)(scope, receive, send)
            return
        if scope["method"] != "POST" or not _under(path, UPLOAD_PREFIX):
            await self.app(scope, receive, send)
            return
        client = ClientRateLimit.client_of(request)
        reason = self.uploads.take(client)
        if reason is not None:
            await refusal(status.HTTP_429_TOO_MANY_REQUESTS, reason, {"Retry-After": _RETRY_SECONDS})(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.uploads.give_back(client)
