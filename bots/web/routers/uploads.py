"""Adding a plan from the browser, behind the admin token: upload, preview, confirm.

POST /api/admin/plans/preview shows what would be indexed (as `cchc check`) and writes nothing;
POST /api/admin/plans adds the file and its manifest entry, then starts a reindex. The page at
/quan-tri drives both.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, UploadFile, status
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from bots.web.deps import AdminDep, RuntimeDep, SettingsDep
from bots.web.routers.page import STATIC_DIR
from bots.web.schemas import ErrorResponse, ReindexStatus
from indexer.corpus import add_plan
from indexer.preview import Preview
from indexer.sandbox import ParseSandbox

router = APIRouter(prefix="/api/admin/plans", tags=["quản trị"], dependencies=[AdminDep],
                   responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}})
page_router = APIRouter(include_in_schema=False)


def _preview_bytes(request: Request, filename: str, data: bytes) -> Preview:
    """Parsed in the worker process with its limits (indexer.sandbox), never in this one."""
    sandbox: ParseSandbox = request.app.state.sandbox
    return sandbox.preview(filename, data)


@router.post("/preview", response_model=Preview, summary="Xem trước một tệp kế hoạch (không ghi gì)")
async def preview_upload(request: Request, file: UploadFile) -> Preview:
    data = await file.read()
    return await run_in_threadpool(_preview_bytes, request, file.filename or "", data)


@router.post("", response_model=ReindexStatus, status_code=status.HTTP_202_ACCEPTED,
             responses={400: {"model": ErrorResponse}, 422: {"model": Preview}},
             summary="Thêm kế hoạch vào kho và lập chỉ mục lại")
async def add_upload(
    request: Request,
    file: UploadFile,
    settings: SettingsDep,
    runtime: RuntimeDep,
    province: Annotated[str | None, Form(max_length=60)] = None,
    year: Annotated[int | None, Form(ge=2000, le=2100)] = None,
    title: Annotated[str | None, Form(max_length=300)] = None,
) -> ReindexStatus:
    data = await file.read()
    checked = await run_in_threadpool(_preview_bytes, request, file.filename or "", data)
    given = {k: v for k, v in {"province": province, "year": year, "title": title}.items() if v}
    still_missing = [name for name in checked.missing if name not in given]
    if checked.error or still_missing:
        reason = checked.error or f"văn bản không ghi rõ {', '.join(still_missing)}; hãy nhập ở ô tương ứng"
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"Chưa thêm được kế hoạch: {reason}.")
    await run_in_threadpool(add_plan, settings.corpus_dir, file.filename or "", data, given)
    _, current = runtime.start_reindex()
    return current


@page_router.get("/quan-tri")
async def admin_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "admin.html", headers={"Cache-Control": "no-cache"})
