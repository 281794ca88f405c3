"""Admin routes, present only when CCHC_ADMIN_TOKEN is set: rebuild the index while serving."""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse

from bots.web.deps import AdminDep, RuntimeDep
from bots.web.schemas import ErrorResponse, ReindexStatus

router = APIRouter(
    prefix="/api/admin",
    tags=["quản trị"],
    dependencies=[AdminDep],
    responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}},
)


@router.post(
    "/reindex",
    response_model=ReindexStatus,
    status_code=status.HTTP_202_ACCEPTED,
    responses={409: {"model": ReindexStatus, "description": "đang xây dựng lại; trạng thái hiện tại"}},
    summary="Xây dựng lại chỉ mục từ corpus, trong nền; chỉ mục cũ vẫn phục vụ đến khi xong",
)
async def start_reindex(runtime: RuntimeDep) -> ReindexStatus | JSONResponse:
    started, current = runtime.start_reindex()
    if not started:
        return JSONResponse(current.model_dump(mode="json"), status_code=status.HTTP_409_CONFLICT)
    return current


@router.get("/reindex", response_model=ReindexStatus, summary="Trạng thái lần xây dựng lại gần nhất")
async def reindex_status(runtime: RuntimeDep) -> ReindexStatus:
    return runtime.status
