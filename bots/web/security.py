"""Security headers on every response.

The page renders plan text and questions with textContent only; the Content-Security-Policy is the
second wall: no inline script, no script from anywhere but this server, no plugins, no <base>
tricks. If markup from a document ever reached the DOM, the browser would still refuse to run it.
The one policy covers every response, the optional API docs included.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def page_policy(frame_ancestors: Sequence[str]) -> str:
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "manifest-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "object-src 'none'",
            f"frame-ancestors {' '.join(frame_ancestors)}",
        ]
    )


class SecurityHeaders:
    def __init__(self, app: ASGIApp, frame_ancestors: Sequence[str] = ("'self'",)):
        self.app = app
        self.policy = page_policy(frame_ancestors).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-security-policy"]
                headers += [
                    (b"content-security-policy", self.policy),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
