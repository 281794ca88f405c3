"""A portal operator adds a plan from the browser: upload, preview, confirm; the plan is then
answered from. Behind the admin token; bad files get one Vietnamese line and change nothing."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pydantic import SecretStr

from bots.web.app import create_app
from cchc.settings import Settings
from tests.indexer.test_metadata import _plan_docx

TOKEN = "quan-tri-" + "a1b2c3d4e5f60718" * 3
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "Kế hoạch CCHC Hà Nam 2023.docx"
    _plan_docx(path, "196/KH-UBND", "24 tháng 12 năm 2022", "Cải cách hành chính nhà nước tỉnh Hà Nam năm 2023",
               [["1", "Số hóa hồ sơ lưu trữ lịch sử của tỉnh", "Sở Nội vụ", "Quý II/2023"],
                ["2", "Rà soát thủ tục hành chính lĩnh vực đất đai", "Sở Tài nguyên và Môi trường", "Quý III/2023"]])
    return path


@pytest.fixture
def upload_settings(web_settings: Settings, built_settings: Settings, corpus_copy: Path, tmp_path: Path) -> Settings:
    data_dir = tmp_path / "upload-data"
    shutil.copytree(built_settings.index_dir, data_dir / "index")
    (corpus_copy / "manifest.toml").chmod(0o644)
    return web_settings.model_copy(update={"admin_token": SecretStr(TOKEN), "data_dir": data_dir, "corpus_dir": corpus_copy})


async def test_preview_then_add_then_answer(upload_settings, plan_file, app_client):
    app = create_app(upload_settings)
    files = {"file": (plan_file.name, plan_file.read_bytes(), "application/octet-stream")}
    manifest_before = (upload_settings.corpus_dir / "manifest.toml").read_text(encoding="utf-8")

    async with app_client(app) as http:
        refused = await http.post("/api/admin/plans/preview", files=files)
        shown = await http.post("/api/admin/plans/preview", files=files, headers=AUTH)
        unchanged = (upload_settings.corpus_dir / "manifest.toml").read_text(encoding="utf-8") == manifest_before
        added = await http.post("/api/admin/plans", files=files, headers=AUTH)
        await asyncio.to_thread(app.state.runtime.wait_reindex, 300)
        plans = (await http.get("/api/plans")).json()
        answer = (await http.post("/api/ask", json={"question": "Sở Nội vụ tỉnh Hà Nam chủ trì những việc gì năm 2023?",
                                                    "today": "2023-05-01"})).json()
        again = await http.post("/api/admin/plans", files=files, headers=AUTH)

    assert refused.status_code == 401
    preview = shown.json()
    assert shown.status_code == 200 and preview["error"] is None and preview["missing"] == []
    assert preview["metadata"]["province"] == "Hà Nam" and preview["metadata"]["doc_number"] == "196/KH-UBND"
    assert preview["rows"] == 2 and [c["role"] for c in preview["tables"][0]] == ["stt", "task", "lead", "period"]
    assert unchanged  # a preview writes nothing
    assert added.status_code == 202
    assert (upload_settings.corpus_dir / "Ke-hoach-CCHC-Ha-Nam-2023.docx").exists()
    assert "kehoachcchchanam2023" in [p["id"] for p in plans]
    assert answer["found"] and "Số hóa hồ sơ lưu trữ lịch sử" in answer["answer"]
    assert again.status_code == 400 and "Đã có tệp" in again.json()["detail"]


async def test_a_file_that_cannot_be_indexed_is_refused_and_changes_nothing(upload_settings, tmp_path, app_client):
    app = create_app(upload_settings)
    before = sorted(p.name for p in upload_settings.corpus_dir.iterdir())
    bad = {"file": ("ke-hoach.doc", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "application/msword")}

    async with app_client(app) as http:
        shown = (await http.post("/api/admin/plans/preview", files=bad, headers=AUTH)).json()
        added = await http.post("/api/admin/plans", files=bad, headers=AUTH)

    assert "không đọc được loại tệp «.doc»" in shown["error"]
    assert added.status_code == 422 and added.json()["detail"].startswith("Chưa thêm được kế hoạch")
    assert sorted(p.name for p in upload_settings.corpus_dir.iterdir()) == before


def test_the_admin_page_previews_and_adds_a_plan(upload_settings, plan_file, page, threaded_server):
    app = create_app(upload_settings)
    with threaded_server(app) as server:
        page.goto(f"http://127.0.0.1:{server.port}/quan-tri")
        page.wait_for_selector("body[data-ready=true]")
        page.fill("#token", TOKEN)
        page.set_input_files("#file", str(plan_file))
        page.click("#preview-button")

        expect(page.locator("#counts")).to_have_text("2 dòng nhiệm vụ, 3 đoạn văn.", timeout=60_000)
        expect(page.locator("#metadata")).to_contain_text("196/KH-UBND")
        expect(page.locator("#columns td").filter(has_text="Đơn vị chủ trì")).to_have_count(2)  # heading and its reason
        page.click("#confirm-button")
        expect(page.locator("#status")).to_contain_text("Đã thêm kế hoạch", timeout=60_000)
        app.state.runtime.wait_reindex(300)
    assert app.state.runtime.status.state == "succeeded"
