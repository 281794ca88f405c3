"""GET /api/rows/{id}: one cited record, whole, with its plan (for the citation panel)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from bots.web.deps import SnapshotDep
from bots.web.schemas import ErrorResponse
from service.app import RowDetail

router = APIRouter(prefix="/api", tags=["dữ liệu"])


@router.get(
    "/rows/{record_id}",
    response_model=RowDetail,
    responses={404: {"model": ErrorResponse, "description": "không có dòng mang mã này"}},
    summary="Một dòng kế hoạch (hoặc một đoạn văn) với đủ các ô gốc và kế hoạch chứa nó",
)
async def get_row(record_id: Annotated[str, Path(min_length=1, max_length=200)], snapshot: SnapshotDep) -> RowDetail:
    return snapshot.service.row(record_id)  # UnknownRecordError -> 404 at the edge
