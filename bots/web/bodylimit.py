"""Refuse request bodies over a size limit with a Vietnamese 413, before anything buffers them.

FastAPI's own max_body_size answers in English plain text when Content-Length is too large; this
keeps every error in the API's {"detail": "<Vietnamese>"} shape.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE = "Nội dung gửi lên quá lớn."


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, larger: dict[str, int] | None = None):
        self.app = app
        self.max_bytes = max_bytes
        self.larger = larger or {}  # path prefix -> limit, for uploads of plan files

    def _limit(self, scope: Scope) -> int:
        path = scope["path"]
        return next((limit for prefix, limit in self.larger.items() if path.startswith(prefix)), self.max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await JSONResponse({"detail": TOO_LARGE}, status_code=413)(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            # Chunked bodies announce no length: count as they arrive. FastAPI re-raises an
            # HTTPException from here, so the app's handler answers it.
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise HTTPException(413, TOO_LARGE)
            return message

        await self.app(scope, counting_receive, send)
