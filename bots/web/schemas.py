"""Request and response models of the HTTP API. The answer itself is assistant.contract.Answer,
returned unchanged; these models cover everything around it."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from bots.feedback import MAX_ANSWER, MAX_CITATIONS, MAX_COMMENT, MAX_QUESTION
from indexer.vntext import clean_text

# The exact limit is settings.max_question_chars, checked per request (it is configuration, and a
# model is built at import time); this bound only keeps absurd bodies out before that check.
QUESTION_HARD_LIMIT = 10_000
SESSION_PATTERN = r"^[A-Za-z0-9_.:-]{1,100}$"


class AskRequest(BaseModel):
    question: str = Field(max_length=QUESTION_HARD_LIMIT, examples=["Sở Nội vụ chủ trì những việc gì trong quý này?"])
    today: dt.date | None = Field(None, description="reference day for «quý này», «quý sau»; default: the server's today")
    session: str | None = Field(None, pattern=SESSION_PATTERN,
                                description="the id POST /api/session gave this conversation, so follow-ups inherit context")
    agency: str | None = Field(
        None, max_length=100, description="agency id of «đơn vị của tôi» (from /api/agencies), used when the question says «đơn vị tôi»"
    )
    province: str | None = Field(
        None, max_length=100, description="province of «đơn vị của tôi»: scopes a question that names no province"
    )
    continued: bool = Field(False, description="this conversation showed answers before: a lost context is said to be lost")

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not clean_text(value).strip():  # invisible characters alone are as empty as spaces
            raise ValueError("Câu hỏi đang trống. Hãy nhập câu hỏi, ví dụ: «Sở Nội vụ chủ trì những việc gì trong quý này?»")
        return value


class FieldError(BaseModel):
    field: str
    message: str


class ErrorResponse(BaseModel):
    detail: str = Field(description="Vietnamese, for the user")
    errors: list[FieldError] = Field(default_factory=list)


class AgencyOut(BaseModel):
    id: str
    name: str
    short: str = ""
    kind: str | None = None
    collective: bool = False
    aliases: list[str] = Field(default_factory=list)


class PlanOut(BaseModel):
    id: str
    province: str
    year: int
    title: str
    short_title: str
    doc_number: str | None = None
    doc_date: dt.date | None = None
    rows: int = Field(description="task-table rows indexed from this plan")


ReindexState = Literal["idle", "running", "succeeded", "failed"]


class StalePlan(BaseModel):
    """A plan whose current file failed: its last good version is still served."""

    plan: str
    reason: str = Field(description="Vietnamese: why the new version could not be read")


class ReindexStatus(BaseModel):
    state: ReindexState = "idle"
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    build: str | None = Field(None, description="build folder serving after the last successful reindex")
    changed: bool | None = Field(None, description="false when the corpus matched the index already")
    failed_documents: list[str] = Field(default_factory=list, description="Vietnamese, one per plan that could not be read")
    stale: list[StalePlan] = Field(default_factory=list, description="failed plans still served from their last good build")
    error: str | None = Field(None, description="Vietnamese, when the reindex failed as a whole")


class Health(BaseModel):
    loaded: bool
    build: str | None = None
    built_at: dt.datetime | None = None
    embedding: str | None = None
    generator: str | None = None
    rows: int = 0
    sections: int = 0
    plans: int = 0
    stale: list[StalePlan] = Field(default_factory=list, description="plans served from an older version of their file")
    reindex: ReindexState = "idle"
    max_question_chars: int = Field(description="longest question accepted, for the page's input")


class FeedbackRequest(BaseModel):
    answer_id: str = Field(min_length=1, max_length=4000, description="the `answer_id` of the answer being rated")
    rating: Literal["up", "down"]
    question: str = Field(min_length=1, max_length=MAX_QUESTION)
    answer: str = Field(max_length=MAX_ANSWER)
    comment: str | None = Field(None, max_length=MAX_COMMENT)
    session: str | None = Field(None, pattern=SESSION_PATTERN)
    today: dt.date | None = None
    citations: list[str] = Field(default_factory=list, max_length=MAX_CITATIONS, description="ids of the cited rows, as in the answer")


class FeedbackStored(BaseModel):
    id: int

