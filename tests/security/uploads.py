"""Raw HTTP uploads for the hostile tests: headers and part of a multipart body now, the rest when
the test says, from a chosen loopback address. httpx always sends a whole body, and these tests need
to see what the server does before the body has arrived."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

BOUNDARY = "cchc-test-boundary-5f1c"


def multipart(filename: str, payload: bytes) -> bytes:
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    return head + payload + f"\r\n--{BOUNDARY}--\r\n".encode()


class PartialUpload:
    """One POST on its own connection: the headers and the first `sent` bytes of `body` at once."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, rest: bytes):
        self.reader = reader
        self.writer = writer
        self.rest = rest

    @classmethod
    async def start(cls, port: int, path: str, body: bytes, sent: int, headers: dict[str, str] | None = None,
                    source: str = "127.0.0.1") -> PartialUpload:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
        lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close",
                 f"Content-Type: multipart/form-data; boundary={BOUNDARY}", f"Content-Length: {len(body)}",
                 *(f"{name}: {value}" for name, value in (headers or {}).items())]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body[:sent])
        await writer.drain()
        return cls(reader, writer, body[sent:])

    async def status(self, timeout: float = 30) -> int:
        """The response's status code, read while the rest of the body is still unsent."""
        line = await asyncio.wait_for(self.reader.readline(), timeout)
        return int(line.split()[1])

    async def finish(self, timeout: float = 120) -> tuple[int, bytes]:
        """Send the rest of the body; (status, response body)."""
        self.writer.write(self.rest)
        await self.writer.drain()
        response = await asyncio.wait_for(self.reader.read(), timeout)
        head, _, content = response.partition(b"\r\n\r\n")
        return int(head.split()[1]), content

    def close(self) -> None:
        self.writer.close()


class BodyMeter:
    """Wraps the app and counts the request-body bytes the app asks for: zero means no part of
    the body was read (nor spooled) by the time an answer went out."""

    def __init__(self, app: Any):
        self.app = app
        self.bytes = 0

    async def __call__(self, scope: MutableMapping[str, Any], receive: Callable[[], Awaitable[dict]],
                       send: Callable[[dict], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def counting() -> dict:
            message = await receive()
            self.bytes += len(message.get("body", b""))
            return message

        await self.app(scope, counting, send)
