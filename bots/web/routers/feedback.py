"""POST /api/feedback: 👍/👎 on an answer, kept with bots.feedback.FeedbackStore."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from starlette.concurrency import run_in_threadpool

from bots.feedback import Feedback
from bots.web.deps import AnswerIdsDep, FeedbackDep, rate_limited
from bots.web.feedback_quota import FeedbackQuota
from bots.web.ratelimit import ClientRateLimit
from bots.web.schemas import ErrorResponse, FeedbackRequest, FeedbackStored
from bots.web.sessions import WebSessionsDep

router = APIRouter(prefix="/api", tags=["góp ý"], dependencies=[Depends(rate_limited("feedback"))])


def within_quota(request: Request, ids: AnswerIdsDep) -> str:
    """Counts the post against the per-client and overall quotas (forgeries and replays count too);
    gives the sender's pseudonym, stored with the vote for its share of the database."""
    quota: FeedbackQuota = request.app.state.feedback_quota
    quota.check(request)
    return "web:" + ids.pseudonym(ClientRateLimit.client_of(request))


@router.post(
    "/feedback",
    response_model=FeedbackStored,
    status_code=status.HTTP_201_CREATED,
    responses={
        403: {"model": ErrorResponse, "description": "mã câu trả lời giả, quá cũ, không khớp nội dung, hoặc góp ý đã được xem xét"},
        422: {"model": ErrorResponse},
        429: {"model": ErrorResponse, "description": "vượt hạn mức góp ý của bạn hoặc của cả hệ thống"},
        507: {"model": ErrorResponse, "description": "kho góp ý đã đầy"},
    },
    summary="Ghi nhận 👍/👎 cho một câu trả lời (lần sau thay lần trước, cho tới khi được xem xét)",
)
async def add_feedback(body: FeedbackRequest, store: FeedbackDep, ids: AnswerIdsDep,
                       client: Annotated[str, Depends(within_quota)], sessions: WebSessionsDep) -> FeedbackStored:
    # Only an answer this server gave, with the rows it really cited (FeedbackRejectedError -> 403).
    ids.check(body.answer_id, body.question, body.answer, body.citations)
    feedback = Feedback(channel="web", client=client, **body.model_dump(exclude={"session"}),
                        session=sessions.resolve(body.session))
    # SQLite write: off the event loop.
    return FeedbackStored(id=await run_in_threadpool(store.add, feedback))
