"""Admin reindex: token checks, and a rebuild while the old index keeps answering."""

from __future__ import annotations

import asyncio
import shutil
import threading
from pathlib import Path

import pytest
from pydantic import SecretStr

from bots.web.app import create_app
from bots.web.runtime import build_index
from cchc.settings import Settings

TOKEN = "thu-nghiem-quan-tri-7f3a-9c41d2e8b6a05f17"  # 32+ characters, as settings require
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NEW_PLAN = """\
[[plan]]
id = "namdinh2023"
file = "nam-dinh-2023-phu-luc.txt"
province = "Nam Định"
year = 2023
title = "Phụ lục: Nhiệm vụ cải cách hành chính tỉnh Nam Định năm 2023 (thử nghiệm)"
short_title = "KH CCHC 2023 Nam Định"
layout = "tsv"
"""
NEW_ROWS = (
    "**Phụ lục**\n\n"
    "<b>STT</b>\t<b>Nhiệm vụ</b>\t<b>Sản phẩm</b>\t<b>Cơ quan chủ trì</b>\t<b>Cơ quan phối hợp</b>\t"
    "<b>Thời gian thực hiện</b>\t<b>Kinh phí dự kiến</b>\n"
    "<b>I</b>\t<b>Cải cách thể chế</b>\t\t\t\t\t\n"
    "1\tTổ chức hội thi tìm hiểu cải cách hành chính cho đoàn viên thanh niên\tHội thi\tSở Nội vụ\t"
    "Tỉnh đoàn\tQuý II năm 2023\tKinh phí CCHC\n"
    "2\tSố hóa hồ sơ lưu trữ lịch sử của tỉnh\tDữ liệu số\tSở Nội vụ\tCác sở, ban, ngành\tNăm 2023\t"
    "Kinh phí thường xuyên\n"
)


class GatedBuilder:
    """The real build, held at the start until the test has checked what happens meanwhile."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self, settings: Settings):
        self.started.set()
        self.release.wait(timeout=300)
        return build_index(settings)


@pytest.fixture
def admin_settings(web_settings: Settings) -> Settings:
    return web_settings.model_copy(update={"admin_token": SecretStr(TOKEN)})  # model_copy does not validate


async def test_admin_routes_need_the_right_bearer_token(admin_settings, index, assistant, app_client):
    app = create_app(admin_settings, index=index, assistant=assistant)

    async with app_client(app) as http:
        missing = await http.post("/api/admin/reindex")
        basic = await http.post("/api/admin/reindex", headers={"Authorization": f"Basic {TOKEN}"})
        wrong = await http.post("/api/admin/reindex", headers={"Authorization": "Bearer sai-ma"})
        almost = await http.get("/api/admin/reindex", headers={"Authorization": f"Bearer {TOKEN[:-1]}"})
        status = await http.get("/api/admin/reindex", headers=AUTH)
        schema = (await http.get("/openapi.json")).json()

    assert missing.status_code == 401 and basic.status_code == 401
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    assert missing.json()["detail"] == "Cần mã quản trị: gửi tiêu đề «Authorization: Bearer <mã>»."
    assert wrong.status_code == almost.status_code == 403
    assert wrong.json()["detail"] == "Mã quản trị không đúng."
    assert status.status_code == 200 and status.json()["state"] == "idle"
    assert "/api/admin/reindex" in schema["paths"]
    assert app.state.runtime.status.state == "idle"  # nothing was started by the refused calls


@pytest.fixture
def rebuild_settings(admin_settings: Settings, built_settings: Settings, corpus_copy: Path, tmp_path: Path) -> Settings:
    """A private copy of the session's index and corpus, with one more plan waiting to be indexed."""
    data_dir = tmp_path / "rebuild-data"
    shutil.copytree(built_settings.index_dir, data_dir / "index")
    (corpus_copy / "manifest.toml").chmod(0o644)
    with (corpus_copy / "manifest.toml").open("a", encoding="utf-8") as manifest:
        manifest.write("\n" + NEW_PLAN)
    (corpus_copy / "nam-dinh-2023-phu-luc.txt").write_text(NEW_ROWS, encoding="utf-8")
    return admin_settings.model_copy(update={"data_dir": data_dir, "corpus_dir": corpus_copy})


async def test_reindex_serves_the_old_index_meanwhile_then_swaps(rebuild_settings, app_client):
    builder = GatedBuilder()
    app = create_app(rebuild_settings, builder=builder)  # the lifespan opens the copied index
    listing = {"question": "Sở Nội vụ tỉnh Nam Định chủ trì những việc gì trong quý này?", "today": "2022-11-01"}
    new_work = {"question": "Sở Nội vụ tỉnh Nam Định chủ trì những việc gì trong năm 2023?", "today": "2023-05-01"}

    async with app_client(app) as http:
        sessions = [(await http.post("/api/session")).json()["session"] for _ in range(4)]
        before = (await http.get("/api/health")).json()
        started = await http.post("/api/admin/reindex", headers=AUTH)
        await asyncio.to_thread(builder.started.wait, 60)
        again = await http.post("/api/admin/reindex", headers=AUTH)
        during_status = (await http.get("/api/admin/reindex", headers=AUTH)).json()
        during_health = (await http.get("/api/health")).json()
        during = await asyncio.gather(*(http.post("/api/ask", json={**listing, "session": session}) for session in sessions))
        builder.release.set()
        for _ in range(1200):  # bounded wait for the background build; no timing is asserted
            status = (await http.get("/api/admin/reindex", headers=AUTH)).json()
            if status["state"] != "running":
                break
            await asyncio.sleep(0.25)
        after = (await http.get("/api/health")).json()
        plans = (await http.get("/api/plans")).json()
        answer = (await http.post("/api/ask", json=new_work)).json()
        follow_up = (await http.post("/api/ask", json={"question": "Còn Sở Tư pháp thì sao?", "session": sessions[0], "today": "2022-11-01"})).json()

    assert before["loaded"] and before["plans"] == 5
    assert started.status_code == 202 and started.json()["state"] == "running"
    assert again.status_code == 409 and again.json()["state"] == "running"
    assert during_status["state"] == "running"
    assert during_health["build"] == before["build"] and during_health["reindex"] == "running"
    assert [r.status_code for r in during] == [200] * 4 and all(r.json()["found"] for r in during)

    assert status["state"] == "succeeded", status
    assert status["changed"] is True and status["failed_documents"] == []
    assert status["build"] == after["build"] != before["build"]
    assert after["plans"] == 6 and after["rows"] == before["rows"] + 2
    assert after["built_at"] > before["built_at"]
    assert "namdinh2023" in [p["id"] for p in plans]
    assert answer["found"] and {c["id"].split("_")[0] for c in answer["citations"]} == {"namdinh2023"}
    assert "hội thi tìm hiểu cải cách hành chính" in answer["answer"]
    # The conversation begun on the old index continues on the new one.
    assert follow_up["query"]["agency"]["id"] == "so-tu-phap"
    assert follow_up["query"]["provinces"] == ["Nam Định"] and "provinces" in follow_up["query"]["inherited"]


async def test_a_failed_reindex_keeps_serving_and_reports_why(admin_settings, index, assistant, app_client, tmp_path):
    broken = admin_settings.model_copy(update={"corpus_dir": tmp_path / "khong-co-corpus"})
    app = create_app(broken, index=index, assistant=assistant)

    async with app_client(app) as http:
        started = await http.post("/api/admin/reindex", headers=AUTH)
        status = await asyncio.to_thread(app.state.runtime.wait_reindex, 120)
        reported = (await http.get("/api/admin/reindex", headers=AUTH)).json()
        health = (await http.get("/api/health")).json()
        ask = await http.post("/api/ask", json={"question": "Sở Nội vụ làm gì?", "today": "2022-11-01"})

    assert started.status_code == 202
    assert status.state == reported["state"] == "failed"
    assert reported["error"]  # Vietnamese, from the corpus loader
    assert health["loaded"] and health["build"] == index.build.name and health["reindex"] == "failed"
    assert ask.status_code == 200


async def test_a_plan_whose_file_broke_stays_served_and_is_reported_stale(rebuild_settings, app_client):
    (rebuild_settings.corpus_dir / "hung-yen-2022-ke-hoach.txt").write_bytes(b"")  # truncated by accident
    app = create_app(rebuild_settings)

    async with app_client(app) as http:
        await http.post("/api/admin/reindex", headers=AUTH)
        status = await asyncio.to_thread(app.state.runtime.wait_reindex, 300)
        health = (await http.get("/api/health")).json()
        plans = [p["id"] for p in (await http.get("/api/plans")).json()]
        answer = (await http.post("/api/ask", json={"question": "Sở Tư pháp tỉnh Hưng Yên chủ trì những việc gì năm 2022?",
                                                    "today": "2022-05-01"})).json()

    assert status.state == "succeeded"
    assert [s.plan for s in status.stale] == ["hungyen2022"] and "rỗng" in status.stale[0].reason
    assert any("hungyen2022" in f for f in status.failed_documents)
    assert [s["plan"] for s in health["stale"]] == ["hungyen2022"]
    assert "hungyen2022" in plans
    assert answer["found"] and {c["id"].split("_")[0] for c in answer["citations"]} == {"hungyen2022"}
