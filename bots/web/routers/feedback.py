"""POST /api/feedback: 👍/👎 on an answer, kept with bots.feedback.FeedbackStore."""

from __future__ import annotations

from fastapi import APIRouter, Depends, status
from starlette.concurrency import run_in_threadpool

from bots.feedback import Feedback
from bots.web.deps import FeedbackDep, rate_limited
from bots.web.schemas import ErrorResponse, FeedbackRequest, FeedbackStored

router = APIRouter(prefix="/api", tags=["góp ý"], dependencies=[Depends(rate_limited("feedback"))])


@router.post(
    "/feedback",
    response_model=FeedbackStored,
    status_code=status.HTTP_201_CREATED,
    responses={422: {"model": ErrorResponse}, 429: {"model": ErrorResponse}},
    summary="Ghi nhận 👍/👎 cho một câu trả lời",
)
async def add_feedback(body: FeedbackRequest, store: FeedbackDep) -> FeedbackStored:
    feedback = Feedback(channel="web", **body.model_dump())
    # SQLite write: off the event loop.
    return FeedbackStored(id=await run_in_threadpool(store.add, feedback))
