"""POST /api/ask and its streaming twin POST /api/ask/stream (Server-Sent Events), and
POST /api/session, which gives a web client the conversation id its follow-ups quote."""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from assistant.contract import AgencyMention, Answer, Profile
from assistant.understand import normalise_question
from bots.web.deps import AnswerIdsDep, SettingsDep, SnapshotDep, rate_limited
from bots.web.errors import INTERNAL
from bots.web.schemas import AskRequest, ErrorResponse
from bots.web.sessions import WebSessionsDep
from cchc.errors import CchcError, QuestionError
from service.wiring import agency_table

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["hỏi đáp"], dependencies=[Depends(rate_limited("ask"))])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "JSON không hợp lệ"},
    422: {"model": ErrorResponse, "description": "câu hỏi trống, chỉ có khoảng trắng, hoặc quá dài; mã phiên không do máy chủ cấp"},
    429: {"model": ErrorResponse, "description": "vượt giới hạn yêu cầu; xem Retry-After"},
    503: {"model": ErrorResponse, "description": "chỉ mục chưa sẵn sàng"},
}


@dataclass(frozen=True)
class Ask:
    """A question checked against this server's settings, ready for the assistant."""

    question: str
    today: dt.date | None
    session: str | None
    profile_agency: AgencyMention | None
    province: str | None = None  # of «đơn vị của tôi»: scopes a question that names no province
    continued: bool = False

    def profile(self) -> Profile | None:
        if self.profile_agency is None and not self.province:
            return None
        return Profile(agency=self.profile_agency, province=self.province)


def checked_question(body: AskRequest, settings: SettingsDep, sessions: WebSessionsDep) -> Ask:
    # The parser's own rule (trimmed, max settings.max_question_chars), applied before anything
    # runs, so the streaming route can still answer 422 instead of an error event mid-stream.
    normalise_question(body.question, settings.max_question_chars)
    profile = None
    if body.agency:
        try:
            agency = agency_table().get(body.agency)
        except KeyError:
            raise QuestionError(f"Không có đơn vị nào mang mã «{body.agency}»; hãy chọn lại trong danh sách đơn vị.") from None
        profile = AgencyMention(id=agency.id, name=agency.name)
    return Ask(question=body.question, today=body.today, session=sessions.resolve(body.session), profile_agency=profile,
               province=body.province, continued=body.continued)


AskDep = Annotated[Ask, Depends(checked_question)]


class SessionIssued(BaseModel):
    session: str = Field(description="send it as `session` with every question of this conversation")


@router.post("/session", response_model=SessionIssued, status_code=status.HTTP_201_CREATED,
             responses={429: _ERRORS[429]}, summary="Mở một cuộc hội thoại mới: nhận mã phiên do máy chủ cấp")
async def new_session(sessions: WebSessionsDep) -> SessionIssued:
    return SessionIssued(session=sessions.issue())


@router.post("/ask", response_model=Answer, responses=_ERRORS, summary="Hỏi trợ lý, nhận cả câu trả lời một lần")
async def ask(question: AskDep, snapshot: SnapshotDep, ids: AnswerIdsDep) -> Answer:
    answer = await run_in_threadpool(
        functools.partial(snapshot.service.ask, question.question, session=question.session, today=question.today,
                          profile=question.profile(), continued=question.continued)
    )
    return ids.stamp(answer, question.question)


def _done(answer: Answer) -> str:
    """The stream's last event: the answer less what the earlier events carried — its text came as
    `delta`, its citations as `citation` — with the cited ids in their final order."""
    data = answer.model_dump(mode="json", exclude={"answer", "citations"})
    data["citation_ids"] = [citation.id for citation in answer.citations]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _event(stage: str, payload: Any) -> ServerSentEvent:
    if isinstance(payload, Answer):
        data = _done(payload)
    elif isinstance(payload, BaseModel):
        data = payload.model_dump_json()
    else:  # "delta": a chunk of answer text, wrapped so its newlines survive the SSE framing
        data = json.dumps({"text": payload}, ensure_ascii=False)
    return ServerSentEvent(event=stage, data=data)


@router.post(
    "/ask/stream",
    response_class=EventSourceResponse,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": (
                "Sự kiện SSE, mỗi `data` là JSON: `query` (Query), `citation` (Citation, từng nguồn khi biết), "
                "`delta` ({\"text\": đoạn câu trả lời}), `done` (Answer như /api/ask nhưng không lặp lại `answer` — ghép "
                "các `delta` — và `citations` — đã gửi qua `citation`; `citation_ids` cho thứ tự cuối cùng), "
                "`error` ({\"detail\": thông báo tiếng Việt})."
            ),
        },
        **_ERRORS,
    },
    summary="Hỏi trợ lý, nhận câu trả lời dần dần (Server-Sent Events)",
)
async def ask_stream(question: AskDep, snapshot: SnapshotDep, ids: AnswerIdsDep) -> EventSourceResponse:
    stages = snapshot.service.stream(question.question, session=question.session, today=question.today,
                                     profile=question.profile(), continued=question.continued)

    async def events() -> AsyncIterator[ServerSentEvent]:
        try:
            # Assistant.stream is synchronous (retrieval, embedding): each step runs in a worker
            # thread so the event loop keeps serving other clients.
            async for stage, payload in iterate_in_threadpool(stages):
                yield _event(stage, ids.stamp(payload, question.question) if isinstance(payload, Answer) else payload)
        except CchcError as exc:
            yield ServerSentEvent(event="error", data=json.dumps({"detail": str(exc)}, ensure_ascii=False))
        except Exception:
            logger.exception("streaming answer failed")
            yield ServerSentEvent(event="error", data=json.dumps({"detail": INTERNAL}, ensure_ascii=False))

    return EventSourceResponse(events(), ping=15)
