"""The pages: the chat at "/" and an agency's duty board at "/bang-viec". Their scripts and styles
are static files under /static (no build step)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(include_in_schema=False)


@router.get("/")
async def page() -> FileResponse:
    # no-cache: after an upgrade, browsers revalidate and pick up the new page and scripts.
    return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})


@router.get("/bang-viec")
async def duty_board() -> FileResponse:
    return FileResponse(STATIC_DIR / "board.html", headers={"Cache-Control": "no-cache"})
