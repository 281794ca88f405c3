"""Conversation memory: the last understood question of each session, so follow-ups inherit it."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from assistant.contract import Query


class SessionStore:
    def __init__(self, ttl_seconds: float = 3600, max_sessions: int = 10_000):
        if ttl_seconds <= 0:
            raise ValueError(f"ttl_seconds must be positive, got {ttl_seconds}")
        if max_sessions < 1:
            raise ValueError(f"max_sessions must be at least 1, got {max_sessions}")
        self.ttl = ttl_seconds
        self.max_sessions = max_sessions
        self._items: OrderedDict[str, tuple[float, Query]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session: str | None) -> Query | None:
        if not session:
            return None
        with self._lock:
            item = self._items.get(session)
            if item is None or time.monotonic() - item[0] > self.ttl:
                self._items.pop(session, None)
                return None
            self._items.move_to_end(session)
            return item[1]

    def put(self, session: str | None, query: Query) -> None:
        if not session:
            return
        with self._lock:
            self._items[session] = (time.monotonic(), query)
            self._items.move_to_end(session)
            while len(self._items) > self.max_sessions:
                self._items.popitem(last=False)
