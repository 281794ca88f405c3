"""Conversation memory: the last turn of each session (the understood question and the items its
answer showed, in order), so follow-ups inherit it and «việc thứ 3» finds the row it means.

SessionStore keeps it in the process; RedisSessionStore in Redis with a TTL, so a follow-up asked
on any worker inherits the question asked on another.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from typing import Any, Protocol

from pydantic import BaseModel, Field, ValidationError
from redis import RedisError

from assistant.contract import Query

logger = logging.getLogger(__name__)


class Turn(BaseModel):
    """One answered question of a conversation."""

    query: Query
    shown: list[str] = Field(default_factory=list, description="record ids as the answer showed them, first to last")


class Sessions(Protocol):
    def get(self, session: str | None) -> Turn | None: ...

    def put(self, session: str | None, turn: Turn) -> None: ...


class SessionStore:
    def __init__(self, ttl_seconds: float = 3600, max_sessions: int = 10_000):
        if ttl_seconds <= 0:
            raise ValueError(f"ttl_seconds must be positive, got {ttl_seconds}")
        if max_sessions < 1:
            raise ValueError(f"max_sessions must be at least 1, got {max_sessions}")
        self.ttl = ttl_seconds
        self.max_sessions = max_sessions
        self._items: OrderedDict[str, tuple[float, Turn]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session: str | None) -> Turn | None:
        if not session:
            return None
        with self._lock:
            item = self._items.get(session)
            if item is None or time.monotonic() - item[0] > self.ttl:
                self._items.pop(session, None)
                return None
            self._items.move_to_end(session)
            return item[1]

    def put(self, session: str | None, turn: Turn) -> None:
        if not session:
            return
        with self._lock:
            self._items[session] = (time.monotonic(), turn)
            self._items.move_to_end(session)
            while len(self._items) > self.max_sessions:
                self._items.popitem(last=False)


class RedisSessionStore:
    KEY = "cchc:session:"

    def __init__(self, client: Any, ttl_seconds: float = 3600):
        if ttl_seconds <= 0:
            raise ValueError(f"ttl_seconds must be positive, got {ttl_seconds}")
        self.client = client
        self.ttl = max(1, int(ttl_seconds))

    def get(self, session: str | None) -> Turn | None:
        if not session:
            return None
        try:
            stored = self.client.get(self.KEY + session)
        except RedisError as exc:  # Redis down: answer without the context, say why in the log
            logger.warning("Session %s not read from Redis: %s", session, exc)
            return None
        if not stored:
            return None
        try:
            return Turn.model_validate_json(stored)
        except ValidationError:  # written by an older version: the context is lost, and said so
            logger.info("Session %s holds an older record; starting afresh", session)
            return None

    def put(self, session: str | None, turn: Turn) -> None:
        if not session:
            return
        try:
            self.client.set(self.KEY + session, turn.model_dump_json(), ex=self.ttl)
        except RedisError as exc:
            logger.warning("Session %s not saved to Redis: %s", session, exc)
