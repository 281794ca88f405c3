"""GET /api/lich/{agency}-{province}.ics: an agency's duties as a calendar feed (RFC 5545).

The URL is stable (agency id and province, nothing dated), so Outlook and Google Calendar can
subscribe to it once and refresh it as plans change.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from bots.web.deps import SnapshotDep
from bots.web.schemas import ErrorResponse
from cchc.errors import QuestionError
from service.calendar import parse_feed_name

router = APIRouter(prefix="/api", tags=["dữ liệu"])
MEDIA_TYPE = "text/calendar; charset=utf-8"
UNKNOWN_FEED = "Không có lịch «{name}»: địa chỉ phải có dạng /api/lich/<mã đơn vị>-<tỉnh>.ics, ví dụ so-noi-vu-ha-tinh.ics."


def row_link(request: Request, public_url: str | None) -> str:
    """Where an event's cited row is read: {id} is filled per event."""
    base = (public_url or str(request.base_url)).rstrip("/")
    return base + "/api/rows/{id}"


@router.get("/lich/{name}.ics", responses={200: {"content": {"text/calendar": {}}}, 404: {"model": ErrorResponse}},
            response_class=Response, summary="Lịch nhiệm vụ của một đơn vị (.ics) để thêm vào Outlook, Google Calendar")
async def calendar(name: Annotated[str, Path(max_length=160, pattern=r"^[a-z0-9-]+$")], request: Request,
                   snapshot: SnapshotDep) -> Response:
    parsed = parse_feed_name(name, {plan.province for plan in snapshot.service.plans()})
    if parsed is None:
        raise HTTPException(404, UNKNOWN_FEED.format(name=name))
    agency, province = parsed
    try:
        content = await run_in_threadpool(snapshot.service.calendar, agency, province, None,
                                          row_link(request, request.app.state.settings.public_url))
    except QuestionError as exc:  # an agency id no plan knows
        raise HTTPException(404, str(exc)) from None
    return Response(content, media_type=MEDIA_TYPE,
                    headers={"Content-Disposition": f'inline; filename="{name}.ics"', "Cache-Control": "max-age=3600"})
