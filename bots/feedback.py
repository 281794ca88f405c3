"""👍/👎 feedback from every channel, kept in SQLite so weak answers can become evaluation questions."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    channel TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    comment TEXT,
    session TEXT,
    today TEXT,
    citations TEXT NOT NULL DEFAULT '[]'
)
"""


class Feedback(BaseModel):
    channel: Literal["web", "telegram"]
    rating: Literal["up", "down"]
    question: str = Field(min_length=1, max_length=4000)
    answer: str = Field(max_length=100_000)
    comment: str | None = Field(None, max_length=2000)
    session: str | None = Field(None, max_length=200)
    today: dt.date | None = None
    citations: list[str] = Field(default_factory=list, max_length=500)


class StoredFeedback(Feedback):
    id: int
    created_at: dt.datetime


class FeedbackStore:
    """One SQLite file; safe to share between the web server's threads and the bot."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as connection:
            connection.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def add(self, feedback: Feedback) -> int:
        row = (
            dt.datetime.now(dt.timezone.utc).isoformat(),
            feedback.channel,
            feedback.rating,
            feedback.question,
            feedback.answer,
            feedback.comment,
            feedback.session,
            feedback.today.isoformat() if feedback.today else None,
            json.dumps(feedback.citations),
        )
        with self._lock, self._connect() as connection:
            cursor = connection.execute(
                "INSERT INTO feedback (created_at, channel, rating, question, answer, comment, session, today, citations)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cursor.lastrowid)

    def all(self, rating: str | None = None) -> list[StoredFeedback]:
        query = "SELECT id, created_at, channel, rating, question, answer, comment, session, today, citations FROM feedback"
        params: tuple = ()
        if rating:
            query += " WHERE rating = ?"
            params = (rating,)
        with self._connect() as connection:
            rows = connection.execute(query + " ORDER BY id", params).fetchall()
        return [
            StoredFeedback(
                id=r[0], created_at=dt.datetime.fromisoformat(r[1]), channel=r[2], rating=r[3], question=r[4],
                answer=r[5], comment=r[6], session=r[7], today=dt.date.fromisoformat(r[8]) if r[8] else None,
                citations=json.loads(r[9]),
            )
            for r in rows
        ]
