"""👍/👎 feedback from every channel, kept in SQLite so weak answers can become evaluation questions.

One row per answer (its signed answer id): a second vote on the same answer replaces the first.
Every row starts in the review queue (`pending`); only rows a person accepted can enter the
question set. The database has a size cap, and runs in WAL mode so the web server's threads,
the bot and `cchc feedback` can use it together.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from cchc.errors import FeedbackFullError
from cchc.settings import Settings

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
# Columns added after the first release, for databases made before them.
_MIGRATIONS = {
    "answer_id": "ALTER TABLE feedback ADD COLUMN answer_id TEXT",
    "status": "ALTER TABLE feedback ADD COLUMN status TEXT NOT NULL DEFAULT 'pending'",
}
_UNIQUE_ANSWER = "CREATE UNIQUE INDEX IF NOT EXISTS feedback_answer ON feedback (answer_id)"
_COLUMNS = "id, created_at, channel, rating, question, answer, comment, session, today, citations, answer_id, status"

ReviewStatus = Literal["pending", "accepted", "rejected"]


# Caps: a question is at most settings.max_question_chars (500 by default), the longest seed
# answer is under 15,000 characters, and a listing cites at most a few hundred rows.
MAX_QUESTION = 1000
MAX_ANSWER = 30_000
MAX_COMMENT = 1000
MAX_CITATIONS = 300


class Feedback(BaseModel):
    channel: Literal["web", "telegram"]
    rating: Literal["up", "down"]
    answer_id: str = Field(min_length=1, max_length=4000)
    question: str = Field(min_length=1, max_length=MAX_QUESTION)
    answer: str = Field(max_length=MAX_ANSWER)
    comment: str | None = Field(None, max_length=MAX_COMMENT)
    session: str | None = Field(None, max_length=200)
    today: dt.date | None = None
    citations: list[str] = Field(default_factory=list, max_length=MAX_CITATIONS)


class StoredFeedback(Feedback):
    id: int
    created_at: dt.datetime
    status: ReviewStatus = "pending"


class FeedbackStore:
    """One SQLite file; safe to share between the web server's threads and the bot."""

    def __init__(self, path: Path, max_bytes: int = 50_000_000):
        self.path = path
        self.max_bytes = max_bytes
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as connection:
            connection.execute("PRAGMA journal_mode=WAL")  # persistent: set once, kept in the file
            connection.execute(_SCHEMA)
            present = {row[1] for row in connection.execute("PRAGMA table_info(feedback)")}
            for column, statement in _MIGRATIONS.items():
                if column not in present:
                    connection.execute(statement)
            connection.execute(_UNIQUE_ANSWER)

    @classmethod
    def for_settings(cls, settings: Settings) -> FeedbackStore:
        return cls(settings.feedback_db, max_bytes=int(settings.feedback_max_mb * 1_000_000))

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def _size(self, connection: sqlite3.Connection) -> int:
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        return pages * connection.execute("PRAGMA page_size").fetchone()[0]

    def add(self, feedback: Feedback) -> int:
        """Store (or replace) the feedback on one answer; FeedbackFullError once the cap is reached."""
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
            feedback.answer_id,
        )
        with self._lock, self._connect() as connection:
            if self._size(connection) >= self.max_bytes:
                raise FeedbackFullError(
                    "Kho góp ý đã đầy nên chưa ghi nhận được góp ý này. Xin lỗi bạn; quản trị viên đã được báo."
                )
            cursor = connection.execute(
                "INSERT INTO feedback (created_at, channel, rating, question, answer, comment, session, today,"
                " citations, answer_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (answer_id) DO UPDATE SET created_at = excluded.created_at, rating = excluded.rating,"
                " comment = excluded.comment, status = 'pending' RETURNING id",
                row,
            )
            return int(cursor.fetchone()[0])

    def all(self, rating: str | None = None, status: ReviewStatus | None = None) -> list[StoredFeedback]:
        clauses = [(f"{name} = ?", value) for name, value in (("rating", rating), ("status", status)) if value]
        where = " WHERE " + " AND ".join(c for c, _ in clauses) if clauses else ""
        with self._connect() as connection:
            rows = connection.execute(f"SELECT {_COLUMNS} FROM feedback{where} ORDER BY id",
                                      tuple(v for _, v in clauses)).fetchall()
        return [
            StoredFeedback(
                id=r[0], created_at=dt.datetime.fromisoformat(r[1]), channel=r[2], rating=r[3], question=r[4],
                answer=r[5], comment=r[6], session=r[7], today=dt.date.fromisoformat(r[8]) if r[8] else None,
                citations=json.loads(r[9]), answer_id=r[10] or f"legacy-{r[0]}", status=r[11],
            )
            for r in rows
        ]

    def review(self, feedback_id: int, status: ReviewStatus) -> bool:
        """Accept or reject one feedback; False if there is no such id."""
        with self._lock, self._connect() as connection:
            return connection.execute("UPDATE feedback SET status = ? WHERE id = ?", (status, feedback_id)).rowcount > 0
