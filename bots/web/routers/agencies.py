"""GET /api/agencies: the canonical agency table, for the «Đơn vị của tôi» picker."""

from __future__ import annotations

from fastapi import APIRouter

from bots.web.schemas import AgencyOut
from service.wiring import agency_table

router = APIRouter(prefix="/api", tags=["dữ liệu"])


@router.get("/agencies", response_model=list[AgencyOut], summary="Các cơ quan, đơn vị và tên gọi khác của chúng")
async def list_agencies() -> list[AgencyOut]:
    return [
        AgencyOut(id=a.id, name=a.name, short=a.short, kind=a.kind, collective=a.collective, aliases=a.aliases)
        for a in agency_table().all()
    ]
