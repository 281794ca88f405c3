"""GET /api/plans: the plans in the index being served."""

from __future__ import annotations

from fastapi import APIRouter

from bots.web.deps import SnapshotDep
from bots.web.schemas import PlanOut

router = APIRouter(prefix="/api", tags=["dữ liệu"])


@router.get("/plans", response_model=list[PlanOut], summary="Các kế hoạch đã được lập chỉ mục")
async def list_plans(snapshot: SnapshotDep) -> list[PlanOut]:
    return [
        PlanOut(
            id=plan.id, province=plan.province, year=plan.year, title=plan.title, short_title=plan.short_title,
            doc_number=plan.doc_number, doc_date=plan.doc_date, rows=snapshot.rows_per_plan.get(plan.id, 0),
        )
        for plan in snapshot.index.plans.values()
    ]
