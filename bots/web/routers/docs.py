"""Swagger UI at /docs, only when CCHC_API_DOCS is set.

FastAPI's own docs page loads Swagger UI from a CDN and starts it with an inline script. Here the
files come from the fastapi-offline package (Swagger UI 5, which reads FastAPI's OpenAPI 3.1),
served by this server, and a static script starts them, so the page needs nothing from the internet and runs under the chat's strict
Content-Security-Policy.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from bots.web.routers.page import STATIC_DIR

router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def docs_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "docs.html", headers={"Cache-Control": "no-cache"})


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/docs-assets", StaticFiles(directory=str(files("fastapi_offline") / "static")), name="docs-assets")
