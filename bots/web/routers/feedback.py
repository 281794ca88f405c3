"""POST /api/feedback: 👍/👎 on an answer, kept with bots.feedback.FeedbackStore."""

from __future__ import annotations

from fastapi import APIRouter, Depends, status
from starlette.concurrency import run_in_threadpool

from bots.feedback import Feedback
from bots.web.deps import AnswerIdsDep, FeedbackDep, rate_limited
from bots.web.schemas import ErrorResponse, FeedbackRequest, FeedbackStored

router = APIRouter(prefix="/api", tags=["góp ý"], dependencies=[Depends(rate_limited("feedback"))])


@router.post(
    "/feedback",
    response_model=FeedbackStored,
    status_code=status.HTTP_201_CREATED,
    responses={
        403: {"model": ErrorResponse, "description": "mã câu trả lời giả, quá cũ, hoặc không khớp nội dung"},
        422: {"model": ErrorResponse},
        429: {"model": ErrorResponse},
        507: {"model": ErrorResponse, "description": "kho góp ý đã đầy"},
    },
    summary="Ghi nhận 👍/👎 cho một câu trả lời (một lần cho mỗi câu trả lời; lần sau thay lần trước)",
)
async def add_feedback(body: FeedbackRequest, store: FeedbackDep, ids: AnswerIdsDep) -> FeedbackStored:
    # Only an answer this server gave, with the rows it really cited (FeedbackRejectedError -> 403).
    ids.check(body.answer_id, body.question, body.answer, body.citations)
    feedback = Feedback(channel="web", **body.model_dump())
    # SQLite write: off the event loop.
    return FeedbackStored(id=await run_in_threadpool(store.add, feedback))
