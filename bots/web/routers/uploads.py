"""Adding a plan from the browser, behind the admin token: upload, preview, confirm.

POST /api/admin/plans/preview shows what would be indexed (as `cchc check`) and writes nothing;
GET /api/admin/plans/preview/{job} tells how far that read is (scanned pages done);
POST /api/admin/plans/preview.xlsx gives the rows read as a sheet to correct in Excel;
POST /api/admin/plans adds the file and its manifest entry (with `correction`, the corrected sheet
is served and the file kept as the original), then starts a reindex. The page at /quan-tri drives them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, UploadFile, status
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool

from bots.web.deps import AdminDep, RuntimeDep, SettingsDep
from bots.web.routers.page import STATIC_DIR
from bots.web.schemas import ErrorResponse, ReindexStatus
from indexer.corpus import add_plan, corrected_name, safe_name
from indexer.parse_progress import JOB_ID_PATTERN, ParseProgress
from indexer.preview import Preview
from indexer.sandbox import ParseSandbox
from service.preview_sheet import MEDIA_TYPE, preview_xlsx, sheet_name

router = APIRouter(prefix="/api/admin/plans", tags=["quản trị"], dependencies=[AdminDep],
                   responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}})
page_router = APIRouter(include_in_schema=False)


JobId = Annotated[str | None, Form(pattern=JOB_ID_PATTERN, description="chosen by the page, to ask how far the read is")]
# What the document says about itself, kept in the manifest entry when a corrected sheet (which
# holds only the table) is served in its place.
_HEADER_FIELDS = ("province", "year", "title", "doc_number", "doc_date", "signer", "signer_title")


def _preview_bytes(request: Request, filename: str, data: bytes, job: str | None = None) -> Preview:
    """Parsed in the worker process with its limits (indexer.sandbox), never in this one."""
    sandbox: ParseSandbox = request.app.state.sandbox
    return sandbox.preview(filename, data, job)


@router.post("/preview", response_model=Preview, summary="Xem trước một tệp kế hoạch (không ghi gì)")
async def preview_upload(request: Request, file: UploadFile, job: JobId = None) -> Preview:
    data = await file.read()
    return await run_in_threadpool(_preview_bytes, request, file.filename or "", data, job)


@router.get("/preview/{job}", response_model=ParseProgress, responses={404: {"model": ErrorResponse}},
            summary="Tiến độ đọc một tệp đang xem trước (số trang quét đã đọc)")
async def preview_progress(request: Request, job: Annotated[str, PathParam(pattern=JOB_ID_PATTERN)]) -> ParseProgress:
    found = request.app.state.sandbox.progress(job)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Không có lượt đọc tệp nào với mã này.")
    return found


@router.post("/preview.xlsx", response_class=Response, responses={200: {"content": {MEDIA_TYPE: {}}}, 422: {"model": ErrorResponse}},
             summary="Các dòng đọc được, dạng .xlsx để sửa rồi tải lên lại")
async def preview_sheet(request: Request, file: UploadFile, job: JobId = None) -> Response:
    data = await file.read()
    shown = await run_in_threadpool(_preview_bytes, request, file.filename or "", data, job)
    if shown.error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"Không tạo được bảng: {shown.error}")
    body = await run_in_threadpool(preview_xlsx, shown)
    return Response(body, media_type=MEDIA_TYPE, headers={"Content-Disposition": f'attachment; filename="{sheet_name(shown.file)}"'})


async def _corrected_sheet(request: Request, file: UploadFile, correction: UploadFile) -> bytes:
    """The operator's corrected .xlsx, once it reads as a plan table; else 422 with why."""
    if not (correction.filename or "").lower().endswith(".xlsx"):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            "Chưa thêm được kế hoạch: bảng đã sửa phải là tệp .xlsx (tải về bằng nút «Tải bảng Excel để sửa»).")
    data = await correction.read()
    name = corrected_name(await run_in_threadpool(safe_name, file.filename or ""))
    checked = await run_in_threadpool(_preview_bytes, request, name, data)
    if checked.error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"Chưa thêm được kế hoạch: bảng đã sửa — {checked.error}.")
    return data


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
    correction: UploadFile | None = None,
) -> ReindexStatus:
    data = await file.read()
    checked = await run_in_threadpool(_preview_bytes, request, file.filename or "", data)
    given = {k: v for k, v in {"province": province, "year": year, "title": title}.items() if v}
    still_missing = [name for name in ("province", "year", "title") if getattr(checked.metadata, name) is None and name not in given]
    # A corrected sheet may stand in for a file whose table could not be read (a poor scan).
    if (checked.error and correction is None) or still_missing:
        reason = (checked.error if correction is None else None) or f"văn bản không ghi rõ {', '.join(still_missing)}; hãy nhập ở ô tương ứng"
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"Chưa thêm được kế hoạch: {reason}.")
    fixed = await _corrected_sheet(request, file, correction) if correction is not None else None
    if fixed is not None:
        read = {name: getattr(checked.metadata, name) for name in _HEADER_FIELDS if getattr(checked.metadata, name) is not None}
        given = {**read, **given}
    await run_in_threadpool(add_plan, settings.corpus_dir, file.filename or "", data, given, fixed)
    _, current = runtime.start_reindex()
    return current


@page_router.get("/quan-tri")
async def admin_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "admin.html", headers={"Cache-Control": "no-cache"})
