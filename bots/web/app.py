"""The FastAPI application: create_app(settings) wires routers, error handlers, security headers,
the static page and the lifespan that loads the index once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.concurrency import run_in_threadpool

from bots.answer_ids import AnswerIds
from bots.web.admingate import AdminGate, UploadSlots
from bots.feedback import FeedbackStore
from bots.web.bodylimit import BodyLimit
from bots.web.errors import UnexpectedErrors, install_error_handlers
from bots.web.feedback_quota import FeedbackQuota
from bots.web.ratelimit import ClientRateLimit
from bots.web.routers import admin, agencies, ask, calendar, docs, duties, feedback, health, page, plans, rows, uploads
from bots.web.routers.page import STATIC_DIR
from bots.web.runtime import Builder, Loader, Runtime, build_index, load_index_and_assistant
from bots.web.security import SecurityHeaders
from bots.web.sessions import WebSessions
from cchc.settings import Settings
from indexer.sandbox import ParseSandbox
from service.builds import BuildPointer
from service.shared import limits_storage
from indexer.store import Index

# Generous for feedback (an answer can be 100 000 characters of Vietnamese), small enough that a
# client cannot make the server buffer megabytes.
MAX_BODY_BYTES = 1024 * 1024

DESCRIPTION = """
API của Trợ lý CCHC: hỏi đáp về các kế hoạch cải cách hành chính của tỉnh, theo từng dòng nhiệm vụ.

Mọi thông báo lỗi có dạng `{"detail": "<tiếng Việt>"}`. Câu trả lời theo đúng hợp đồng `Answer`
(giống `cchc ask --json`).
"""


def create_app(
    settings: Settings,
    *,
    index: Index | None = None,
    assistant: Any = None,
    builder: Builder = build_index,
    loader: Loader = load_index_and_assistant,
    frame_ancestors: Sequence[str] = ("'self'",),
) -> FastAPI:
    """Build the app. Nothing loads here: the lifespan opens the index (or uses the given `index`
    and `assistant`, which tests share across apps), so importing or creating the app is cheap.

    `builder` and `loader` are how a reindex builds and opens a new index (service.wiring by default).
    `frame_ancestors` lists the origins allowed to show the page in a frame (CSP frame-ancestors).
    """
    runtime = Runtime(settings, builder=builder, loader=loader,
                      pointer=BuildPointer.for_settings(settings) if index is None else None)
    storage = limits_storage(settings)
    rate_limit = ClientRateLimit(settings.rate_limit, storage=storage)  # fails fast on a malformed CCHC_RATE_LIMIT

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if index is not None and assistant is not None:
            runtime.install(index, assistant, owned=False)
        elif not runtime.loaded:
            await run_in_threadpool(runtime.load)  # loads the embedding model: seconds, once
        runtime.follow_published_builds()
        app.state.feedback = await run_in_threadpool(FeedbackStore.for_settings, settings)
        app.state.answer_ids = await run_in_threadpool(AnswerIds.for_settings, settings)
        app.state.web_sessions = await run_in_threadpool(WebSessions.for_settings, settings)
        app.state.sandbox = ParseSandbox(settings)  # uploaded plans are parsed in its worker process
        await run_in_threadpool(app.state.sandbox.clear_leftovers)  # job folders of a killed server
        yield
        app.state.sandbox.close()
        runtime.close()

    app = FastAPI(
        title="Trợ lý CCHC",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # bots.web.routers.docs serves Swagger UI without a CDN, when CCHC_API_DOCS is set
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.runtime = runtime
    app.state.rate_limit = rate_limit
    app.state.admin_attempts = ClientRateLimit(settings.admin_attempts, setting="CCHC_ADMIN_ATTEMPTS", storage=storage)
    app.state.feedback_quota = FeedbackQuota(settings.feedback_per_client, settings.feedback_overall, storage)

    install_error_handlers(app)
    for module in (ask, duties, rows, agencies, plans, health, feedback, page, calendar):
        app.include_router(module.router)
    if settings.admin_token and settings.admin_token.get_secret_value():
        # Without a token the admin routes do not exist at all (404), rather than being open.
        app.include_router(admin.router)
        app.include_router(uploads.router)
        app.include_router(uploads.page_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    if settings.api_docs:
        docs.install(app)
    app.add_middleware(UnexpectedErrors)
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES,
                       larger={"/api/admin/plans": int(settings.max_upload_mb * 1_000_000)})
    if settings.admin_token and settings.admin_token.get_secret_value():
        # Outside BodyLimit: the token is checked, and uploads counted, before any of the body is read.
        app.add_middleware(AdminGate, uploads=UploadSlots(settings.upload_concurrency_per_client, settings.upload_concurrency_total))
    # The page, the API and the answer stream go gzipped; Starlette flushes each streamed chunk
    # (Z_SYNC_FLUSH), so every SSE event still reaches the browser as it is sent.
    app.add_middleware(GZipMiddleware, minimum_size=settings.gzip_min_bytes, compresslevel=settings.gzip_level,
                       exclude_content_types=tuple(t for t in DEFAULT_EXCLUDED_CONTENT_TYPES if t != "text/event-stream"))
    app.add_middleware(SecurityHeaders, frame_ancestors=frame_ancestors)  # outermost: on every response
    return app
