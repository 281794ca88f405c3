"""GET /api/health: is an index loaded, which one, and how it answers."""

from __future__ import annotations

from fastapi import APIRouter

from bots.web.deps import RuntimeDep, SettingsDep
from bots.web.schemas import Health, StalePlan

router = APIRouter(prefix="/api", tags=["vận hành"])


@router.get("/health", response_model=Health, summary="Tình trạng chỉ mục và bộ trả lời")
async def health(runtime: RuntimeDep, settings: SettingsDep) -> Health:
    reindex = runtime.status.state
    if not runtime.loaded:
        return Health(loaded=False, reindex=reindex, max_question_chars=settings.max_question_chars)
    snapshot = runtime.snapshot
    meta = snapshot.index.meta
    return Health(
        loaded=True,
        build=snapshot.index.build.name,
        built_at=meta.built_at,
        embedding=meta.embedding,
        generator=getattr(snapshot.assistant.generator, "name", type(snapshot.assistant.generator).__name__),
        rows=meta.rows,
        sections=meta.sections,
        plans=len(snapshot.index.plans),
        stale=[StalePlan(plan=plan, reason=reason) for plan, reason in meta.stale.items()],
        reindex=reindex,
        max_question_chars=settings.max_question_chars,
    )
