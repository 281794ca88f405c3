"""Web conversation ids: issued by the server, signed, and kept in the web's own namespace.

The assistant remembers each conversation under a key, and the Telegram bot uses
``telegram:<chat id>``. A web client must not read or steer anyone else's conversation, so it
never chooses its key: POST /api/session gives it a random id signed with the server's key
(``w1.<random>.<signature>``), and /api/ask, /api/duties and /api/feedback accept only such ids.
The conversation is then remembered as ``web:<random>``, a name no other channel uses. Any worker
holding CCHC_SECRET_KEY (or the shared key file) can check an id; nothing is stored per id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError

from bots.answer_ids import load_key
from cchc.settings import Settings

NAMESPACE = "web:"
_VERSION = "w1"
_RANDOM_BYTES = 16
_SIGNATURE_BYTES = 16

OTHER_CHANNEL = ("Mã phiên (session) này thuộc kênh khác (ví dụ Telegram). Trang web chỉ dùng mã phiên do máy chủ "
                 "cấp qua POST /api/session.")
NOT_ISSUED = ("Mã phiên (session) không do máy chủ này cấp. Hãy lấy mã mới qua POST /api/session "
              "(trang web tự làm việc này).")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


class WebSessions:
    def __init__(self, key: bytes):
        # Its own key, derived from the server's: a session id can never pass for anything else it signs.
        self._key = hmac.new(key, b"cchc web sessions", hashlib.sha256).digest()

    @classmethod
    def for_settings(cls, settings: Settings) -> WebSessions:
        return cls(load_key(settings))

    def _sign(self, random_part: str) -> str:
        return _b64(hmac.new(self._key, random_part.encode(), hashlib.sha256).digest()[:_SIGNATURE_BYTES])

    def issue(self) -> str:
        """A new conversation id for a web client."""
        random_part = _b64(secrets.token_bytes(_RANDOM_BYTES))
        return f"{_VERSION}.{random_part}.{self._sign(random_part)}"

    def resolve(self, session: str | None) -> str | None:
        """The key the assistant remembers this conversation under, or None without a session.
        RequestValidationError (a 422 naming the field) for an id this server did not issue."""
        if not session:
            return None
        version, _, rest = session.partition(".")
        random_part, _, signature = rest.partition(".")
        if version == _VERSION and random_part and hmac.compare_digest(signature, self._sign(random_part)):
            return NAMESPACE + random_part
        message = OTHER_CHANNEL if ":" in session else NOT_ISSUED
        raise RequestValidationError([{"type": "value_error", "loc": ("body", "session"), "msg": message,
                                       "input": session, "ctx": {"error": message}}])


def _web_sessions(request: Request) -> WebSessions:
    return request.app.state.web_sessions


WebSessionsDep = Annotated[WebSessions, Depends(_web_sessions)]
