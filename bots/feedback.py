"""👍/👎 feedback from every channel, kept in a database so weak answers can become evaluation questions.

One row per answer (its signed answer id, unique per answer): a second vote on the same answer
replaces the first while it waits in the review queue (`pending`); once a person accepted or
rejected it, no later post changes it. Only accepted rows can enter the question set. SQLAlchemy Core over a SQLite file by default (WAL mode, so the web server's
threads, the bot and `cchc feedback` use it together), or PostgreSQL with CCHC_DATABASE_URL so
every worker and machine writes to one place. The database has a size cap, and one client (an
address, a Telegram user) may fill only `client_share` of it, so no single sender can fill it.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel, Field

from cchc.errors import FeedbackFullError, FeedbackQuotaError, FeedbackRejectedError
from cchc.settings import Settings
from service.database import connect_engine, upsert

FEEDBACK_DB = "feedback.sqlite3"
_metadata = sa.MetaData()
_feedback = sa.Table(
    "feedback", _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("rating", sa.Text, sa.CheckConstraint("rating IN ('up', 'down')"), nullable=False),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("comment", sa.Text),
    sa.Column("session", sa.Text),
    sa.Column("today", sa.Text),
    sa.Column("citations", sa.Text, nullable=False, server_default="[]"),
    sa.Column("answer_id", sa.Text),
    sa.Column("status", sa.Text, nullable=False, server_default="pending"),
    sa.Column("client", sa.Text),
    sa.Column("size", sa.Integer, nullable=False, server_default="0"),
)
_ANSWER_INDEX = sa.Index("feedback_answer", _feedback.c.answer_id, unique=True)
_CLIENT_INDEX = sa.Index("feedback_client", _feedback.c.client)
# Columns added after the first release, for SQLite files made before them.
_MIGRATIONS = {
    "answer_id": "ALTER TABLE feedback ADD COLUMN answer_id TEXT",
    "status": "ALTER TABLE feedback ADD COLUMN status TEXT NOT NULL DEFAULT 'pending'",
    "client": "ALTER TABLE feedback ADD COLUMN client TEXT",
    "size": "ALTER TABLE feedback ADD COLUMN size INTEGER NOT NULL DEFAULT 0",
}

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
    client: str | None = Field(None, max_length=100, description="who sent it (a keyed digest, never the address itself)")

    @property
    def size(self) -> int:
        """What this vote costs in the database, near enough for a per-client share."""
        return sum(len(text.encode()) for text in (self.question, self.answer, self.comment or "", *self.citations))


class StoredFeedback(Feedback):
    id: int
    created_at: dt.datetime
    status: ReviewStatus = "pending"


class FeedbackStore:
    """One database; safe to share between the web server's threads, workers and the bot."""

    def __init__(self, url: str | Path, max_bytes: int = 50_000_000, client_share: float = 0.05):
        if isinstance(url, Path):
            url = f"sqlite:///{url.resolve()}"
        self.max_bytes = max_bytes
        self.client_bytes = int(max_bytes * client_share)
        self._engine = connect_engine(url)
        self._lock = threading.Lock()
        with self._engine.begin() as connection:
            if self._engine.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")  # persistent: kept in the file
            _feedback.create(connection, checkfirst=True)
            present = {column["name"] for column in sa.inspect(connection).get_columns("feedback")}
            for column, statement in _MIGRATIONS.items():
                if column not in present:
                    connection.exec_driver_sql(statement)
            _ANSWER_INDEX.create(connection, checkfirst=True)
            _CLIENT_INDEX.create(connection, checkfirst=True)

    @classmethod
    def for_settings(cls, settings: Settings) -> FeedbackStore:
        return cls(settings.database(FEEDBACK_DB), max_bytes=int(settings.feedback_max_mb * 1_000_000),
                   client_share=settings.feedback_client_share)

    def close(self) -> None:
        self._engine.dispose()

    def _size(self, connection: sa.Connection) -> int:
        if self._engine.dialect.name == "sqlite":
            pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()
            return pages * connection.exec_driver_sql("PRAGMA page_size").scalar_one()
        return connection.execute(sa.text("SELECT pg_total_relation_size('feedback')")).scalar_one()

    def add(self, feedback: Feedback) -> int:
        """Store the feedback on one answer, or replace a vote still pending review.

        FeedbackFullError once the cap is reached, FeedbackQuotaError once this client holds its
        share of it, FeedbackRejectedError when the vote on this answer was already reviewed."""
        row = {
            "created_at": dt.datetime.now(dt.timezone.utc).isoformat(), "channel": feedback.channel,
            "rating": feedback.rating, "question": feedback.question, "answer": feedback.answer,
            "comment": feedback.comment, "session": feedback.session,
            "today": feedback.today.isoformat() if feedback.today else None,
            "citations": json.dumps(feedback.citations), "answer_id": feedback.answer_id,
            "client": feedback.client, "size": feedback.size,
        }
        # Only a pending vote is replaced: a reviewed one keeps its verdict whatever is posted later.
        statement = upsert(self._engine, _feedback, row, keys=["answer_id"],
                           update={"created_at": row["created_at"], "rating": row["rating"],
                                   "comment": row["comment"], "size": row["size"]},
                           where=_feedback.c.status == "pending")
        with self._lock, self._engine.begin() as connection:
            self._check_room(connection, feedback)
            stored = connection.execute(statement.returning(_feedback.c.id)).scalar_one_or_none()
        if stored is None:
            raise FeedbackRejectedError("Góp ý cho câu trả lời này đã được xem xét nên không thay đổi được nữa.")
        return int(stored)

    def _check_room(self, connection: sa.Connection, feedback: Feedback) -> None:
        if self._size(connection) >= self.max_bytes:
            raise FeedbackFullError(
                "Kho góp ý đã đầy nên chưa ghi nhận được góp ý này. Xin lỗi bạn; quản trị viên đã được báo."
            )
        if feedback.client is None:
            return
        held = connection.execute(
            sa.select(sa.func.coalesce(sa.func.sum(_feedback.c.size), 0))
            .where(_feedback.c.client == feedback.client, _feedback.c.answer_id != feedback.answer_id)
        ).scalar_one()
        if held + feedback.size > self.client_bytes:
            raise FeedbackQuotaError(
                "Bạn đã gửi rất nhiều góp ý nên hệ thống tạm không nhận thêm góp ý từ bạn. "
                "Cảm ơn bạn; quản trị viên sẽ xem các góp ý đã gửi."
            )

    def all(self, rating: str | None = None, status: ReviewStatus | None = None) -> list[StoredFeedback]:
        query = sa.select(_feedback).order_by(_feedback.c.id)
        if rating:
            query = query.where(_feedback.c.rating == rating)
        if status:
            query = query.where(_feedback.c.status == status)
        with self._engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [
            StoredFeedback(
                id=r["id"], created_at=dt.datetime.fromisoformat(r["created_at"]), channel=r["channel"],
                rating=r["rating"], question=r["question"], answer=r["answer"], comment=r["comment"],
                session=r["session"], today=dt.date.fromisoformat(r["today"]) if r["today"] else None,
                citations=json.loads(r["citations"]), answer_id=r["answer_id"] or f"legacy-{r['id']}",
                status=r["status"],
            )
            for r in rows
        ]

    def review(self, feedback_id: int, status: ReviewStatus) -> bool:
        """Accept or reject one feedback; False if there is no such id."""
        statement = sa.update(_feedback).where(_feedback.c.id == feedback_id).values(status=status)
        with self._lock, self._engine.begin() as connection:
            return connection.execute(statement).rowcount > 0
