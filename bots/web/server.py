"""`cchc serve`: build the index if there is none (or it no longer fits the settings), then run
uvicorn with the app."""

from __future__ import annotations

import os
import sys
import time

from fastapi import FastAPI
from pydantic import SecretStr

from cchc.errors import CchcError
from cchc.settings import Settings
from indexer.store import FORMAT_VERSION, current_build, read_meta


def index_needs_build(settings: Settings) -> str | None:
    """Why the index must be built before serving, or None when the current build fits."""
    from service.wiring import embedding_for

    build = current_build(settings.index_dir)
    if build is None:
        return "chưa có chỉ mục"
    meta = read_meta(build)
    if meta.format != FORMAT_VERSION:
        return f"chỉ mục có định dạng {meta.format}, cần {FORMAT_VERSION}"
    identity = embedding_for(settings).identity
    if meta.embedding != identity:
        return f"chỉ mục được xây bằng mô hình nhúng «{meta.embedding}», cấu hình hiện tại là «{identity}»"
    return None


class _ProgressPrinter:
    """A line per stage and every ~10 %, readable in systemd or docker logs (no terminal tricks)."""

    labels = {"parse": "Đọc và phân tích văn bản", "embed": "Tính véc-tơ nhúng"}

    def __init__(self) -> None:
        self._last: dict[str, int] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        step = max(1, total // 10)
        last = self._last.get(stage)
        if last is None or done >= total or done - last >= step:
            self._last[stage] = done
            print(f"  {self.labels.get(stage, stage)}: {done}/{total}", file=sys.stderr, flush=True)


def ensure_index(settings: Settings) -> None:
    from service.wiring import build

    reason = index_needs_build(settings)
    if reason is None:
        return
    print(f"Xây dựng chỉ mục trước khi phục vụ ({reason}), từ {settings.corpus_dir} …", file=sys.stderr, flush=True)
    started = time.monotonic()
    report = build(settings, _ProgressPrinter())
    for doc in report.documents:
        if doc.error:
            print(f"  LỖI {doc.plan.file}: {doc.error}", file=sys.stderr)
    print(
        f"Đã xây dựng chỉ mục: {sum(d.rows for d in report.documents)} dòng, "
        f"{sum(d.sections for d in report.documents)} đoạn văn, trong {time.monotonic() - started:.1f} giây.",
        file=sys.stderr,
        flush=True,
    )


def uvicorn_options(settings: Settings) -> dict[str, object]:
    """How uvicorn treats the proxy in front of it (shared with the tests that check it)."""
    return {
        "root_path": settings.root_path.rstrip("/"),
        # X-Forwarded-For is believed only from the proxies named in settings, none by default (a
        # trusted 127.0.0.1 let any local process pick its own address); see docs/web.md.
        "proxy_headers": bool(settings.forwarded_allow_ips.strip()),
        "forwarded_allow_ips": settings.forwarded_allow_ips or None,
    }


def settings_environment(settings: Settings) -> dict[str, str]:
    """The settings as CCHC_* variables, so worker processes started by uvicorn read the same ones
    (command-line overrides and secrets included)."""
    env: dict[str, str] = {}
    for name, value in settings:
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, list):
            value = ",".join(str(item) for item in value)
        env[f"CCHC_{name.upper()}"] = str(value)
    return env


def worker_app() -> FastAPI:
    """The app of one worker process (uvicorn's factory), from the environment `serve` set."""
    from bots.web.app import create_app
    from cchc.settings import get_settings

    settings = get_settings()
    return create_app(settings, frame_ancestors=settings.frame_ancestors)


def serve(settings: Settings) -> None:
    import uvicorn

    from bots.web.app import create_app

    if settings.workers > 1 and not settings.redis_url:
        raise CchcError(
            f"Chạy {settings.workers} tiến trình cần CCHC_REDIS_URL: hội thoại, giới hạn truy cập và bản chỉ mục "
            "đang phục vụ phải dùng chung giữa các tiến trình (xem docs/deploy.md)."
        )
    ensure_index(settings)
    print(f"Trợ lý CCHC: http://{settings.host}:{settings.port}{settings.root_path}/"
          f" ({settings.workers} tiến trình)", file=sys.stderr, flush=True)
    options = {"host": settings.host, "port": settings.port, "log_level": "info", **uvicorn_options(settings)}
    if settings.workers == 1:
        uvicorn.run(create_app(settings, frame_ancestors=settings.frame_ancestors), **options)
        return
    os.environ.update(settings_environment(settings))
    uvicorn.run("bots.web.server:worker_app", factory=True, workers=settings.workers, **options)
