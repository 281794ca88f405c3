"""Admin uploads from clients without the token, or too many at once: refused from the headers,
before any of the body is read or spooled, counted as failed attempts, capped per client and in
total. Against a real uvicorn on loopback, with raw sockets that send only part of each body."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from bots.web.app import create_app
from cchc.settings import Settings
from tests.bots.web.conftest import AppClient, serve_in_thread, web_settings  # noqa: F401 - fixture
from tests.security.uploads import BodyMeter, PartialUpload, multipart

TOKEN = "kiem-thu-cong-quan-tri-" + "9e8d7c6b5a4f3e2d" * 2
AUTH = {"Authorization": f"Bearer {TOKEN}"}
OLD_WORD_FILE = b"\xd0\xcf\x11\xe0" + b"\x00" * 2000  # refused by the preview in a moment


@pytest.fixture
def spool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where Starlette would spool uploaded files (the process's temporary folder)."""
    folder = tmp_path / "spool"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _settings(web_settings: Settings, **update: object) -> Settings:
    return web_settings.model_copy(update={"admin_token": SecretStr(TOKEN), **update})


def _spooled_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


async def test_twenty_uploads_without_a_token_get_401_before_their_body_is_read(web_settings, index, assistant, spool):
    settings = _settings(web_settings, admin_attempts="20/minute")
    meter = BodyMeter(create_app(settings, index=index, assistant=assistant))
    body = multipart("ke-hoach.docx", b"\x00" * 4_000_000)  # 4 MB each, of which 64 KB are ever sent

    async def no_token(port: int) -> tuple[int, float]:
        started = time.monotonic()
        upload = await PartialUpload.start(port, "/api/admin/plans", body, sent=64_000)
        try:
            return await upload.status(), time.monotonic() - started
        finally:
            upload.close()

    with serve_in_thread(meter) as server:
        results = await asyncio.gather(*(no_token(server.port) for _ in range(20)))
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}", timeout=30) as http:
            locked_out = await http.get("/api/admin/reindex", headers=AUTH)

    latencies = sorted(latency for _, latency in results)
    print(f"\n20 no-token uploads: 401 after {latencies[0] * 1000:.0f}–{latencies[-1] * 1000:.0f} ms; "
          f"body bytes read by the app: {meter.bytes}; spooled: {_spooled_bytes(spool)} bytes")
    assert [code for code, _ in results] == [401] * 20  # answered although 3.9 MB of each body never came
    assert meter.bytes == 0 and _spooled_bytes(spool) == 0
    # The twenty count as failed attempts: the window is full, even the right token waits.
    assert locked_out.status_code == 429 and "Xin thử lại sau" in locked_out.json()["detail"]


async def test_the_sixth_upload_without_a_token_in_a_minute_is_throttled(web_settings, index, assistant):
    app = create_app(_settings(web_settings), index=index, assistant=assistant)  # CCHC_ADMIN_ATTEMPTS: 5/minute
    files = {"file": ("ke-hoach.docx", b"PK\x03\x04", "application/octet-stream")}

    async with AppClient(app) as http:
        refused = [await http.post("/api/admin/plans", files=files) for _ in range(5)]
        sixth = await http.post("/api/admin/plans/preview", files=files)
        wrong = await http.post("/api/admin/plans", files=files, headers={"Authorization": "Bearer doan-mo"})

    assert [r.status_code for r in refused] == [401] * 5
    assert refused[0].json()["detail"] == "Cần mã quản trị: gửi tiêu đề «Authorization: Bearer <mã>»."
    assert refused[0].headers["WWW-Authenticate"] == "Bearer"
    assert sixth.status_code == wrong.status_code == 429
    assert sixth.json()["detail"].startswith("Bạn đã gửi quá nhiều yêu cầu") and int(sixth.headers["Retry-After"]) >= 1


async def test_uploads_are_capped_per_client_and_in_total(web_settings, index, assistant):
    settings = _settings(web_settings, upload_concurrency_per_client=1, upload_concurrency_total=2)
    meter = BodyMeter(create_app(settings, index=index, assistant=assistant))
    body = multipart("ke-hoach.doc", OLD_WORD_FILE)

    async def whole(port: int, source: str) -> tuple[int, bytes]:
        upload = await PartialUpload.start(port, "/api/admin/plans/preview", body, sent=len(body), headers=AUTH, source=source)
        try:
            return await upload.finish()
        finally:
            upload.close()

    async def held(port: int, source: str) -> PartialUpload:
        """An upload that has passed the gate and is being read, its last bytes held back."""
        before = meter.bytes
        upload = await PartialUpload.start(port, "/api/admin/plans/preview", body, sent=len(body) - 10, headers=AUTH, source=source)
        for _ in range(600):  # until the app reads the body: the upload then holds its slot
            if meter.bytes > before:
                return upload
            await asyncio.sleep(0.05)
        raise AssertionError("the held upload never reached the app")

    with serve_in_thread(meter) as server:
        first = await held(server.port, "127.0.0.1")
        same_client = await whole(server.port, "127.0.0.1")
        second = await held(server.port, "127.0.0.2")
        third_client = await whole(server.port, "127.0.0.3")
        finished = [await first.finish(), await second.finish()]
        first.close(), second.close()
        after = await whole(server.port, "127.0.0.3")

    assert same_client[0] == 429 and "đang gửi 1 tệp kế hoạch cùng lúc" in same_client[1].decode()
    assert third_client[0] == 429 and "Máy chủ đang nhận nhiều tệp kế hoạch cùng lúc (tối đa 2)" in third_client[1].decode()
    assert [status for status, _ in finished] == [200, 200]  # the held ones were served in full
    assert after[0] == 200 and "không đọc được loại tệp «.doc»" in after[1].decode()  # slots given back
