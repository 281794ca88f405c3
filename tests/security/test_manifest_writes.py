"""Adding plans never corrupts corpus/manifest.toml: a hostile title stays one TOML string, sixteen
concurrent adds all land, an add that fails half-way leaves nothing, a left-over file never blocks
a re-upload, and a 300-character file name gets one Vietnamese line."""

from __future__ import annotations

import asyncio
import errno
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

import indexer.corpus
from bots.web.app import create_app
from cchc.settings import Settings
from tests.bots.web.conftest import AppClient, serve_in_thread, web_settings  # noqa: F401 - fixture
from tests.fake_embedding import SETTINGS as FAKE_MODEL
from tests.indexer.test_metadata import _plan_docx

TOKEN = "kiem-thu-danh-muc-" + "3c2b1a0f9e8d7c6b" * 2
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ROOT = Path(__file__).resolve().parents[2]
HOSTILE_TITLE = 'Kế hoạch "thử"\n[[plan]]\r\nfile = "gia-mao.docx"\nid = "x\\'


@pytest.fixture
def upload_settings(web_settings: Settings, built_settings: Settings, corpus_copy: Path, tmp_path: Path) -> Settings:
    data_dir = tmp_path / "upload-data"
    shutil.copytree(built_settings.index_dir, data_dir / "index")
    (corpus_copy / "manifest.toml").chmod(0o644)
    return web_settings.model_copy(update={"admin_token": SecretStr(TOKEN), "data_dir": data_dir, "corpus_dir": corpus_copy})


def _plan(folder: Path, name: str, number: int = 196) -> Path:
    path = folder / name
    _plan_docx(path, f"{number}/KH-UBND", "24 tháng 12 năm 2022", "Cải cách hành chính nhà nước tỉnh Hà Nam năm 2023",
               [["1", "Số hóa hồ sơ lưu trữ lịch sử của tỉnh", "Sở Nội vụ", "Quý II/2023"]])
    return path


def _upload(path: Path, name: str | None = None) -> dict:
    return {"file": (name or path.name, path.read_bytes(), "application/octet-stream")}


def _entries(corpus: Path) -> list[dict]:
    return tomllib.loads((corpus / "manifest.toml").read_text(encoding="utf-8"))["plan"]


def _leftovers(corpus: Path) -> list[str]:
    return [p.name for p in corpus.iterdir() if p.name.startswith(".cchc-add-")]


async def test_a_title_with_newlines_and_quotes_stays_one_toml_string(upload_settings, tmp_path):
    corpus = upload_settings.corpus_dir
    comments = [line for line in (corpus / "manifest.toml").read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    app = create_app(upload_settings)

    async with AppClient(app) as http:
        added = await http.post("/api/admin/plans", files=_upload(_plan(tmp_path, "ha-nam-2023.docx")),
                                data={"title": HOSTILE_TITLE}, headers=AUTH)
        status = await asyncio.to_thread(app.state.runtime.wait_reindex, 300)

    entries = _entries(corpus)  # still valid TOML
    assert added.status_code == 202
    assert [e["file"] for e in entries].count("ha-nam-2023.docx") == 1 and "gia-mao.docx" not in [e["file"] for e in entries]
    assert entries[-1]["title"] == 'Kế hoạch "thử" [[plan]] file = "gia-mao.docx" id = "x\\'  # one line, as typed
    assert [line for line in (corpus / "manifest.toml").read_text(encoding="utf-8").splitlines() if line.startswith("#")] == comments
    assert status.state == "succeeded" and status.failed_documents == []
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCHC_")}
    env.update(CCHC_CORPUS_DIR=str(corpus), CCHC_DATA_DIR=str(upload_settings.data_dir),
               CCHC_EMBEDDING_MODEL=FAKE_MODEL["embedding_model"], CCHC_PLUGINS=",".join(FAKE_MODEL["plugins"]),
               PYTHONPATH=str(ROOT))
    index = subprocess.run([str(Path(sys.executable).with_name("cchc")), "index", "--quiet"], env=env,
                           capture_output=True, text=True, timeout=300)
    assert index.returncode == 0, index.stderr


def test_sixteen_concurrent_adds_all_land(upload_settings, tmp_path):
    settings = upload_settings.model_copy(update={"upload_concurrency_per_client": 16, "upload_concurrency_total": 16})
    files = [_plan(tmp_path, f"ke-hoach-dong-thoi-{i:02d}.docx", 100 + i) for i in range(16)]
    app = create_app(settings)

    async def add_all(url: str) -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=url, timeout=300) as http:
            return await asyncio.gather(*(http.post("/api/admin/plans", files=_upload(f), headers=AUTH) for f in files))

    with serve_in_thread(app) as server:
        started = time.monotonic()
        responses = asyncio.run(add_all(f"http://127.0.0.1:{server.port}"))
        elapsed = time.monotonic() - started
        app.state.runtime.wait_reindex(300)  # the rebuild the adds started, before the server stops

    corpus = settings.corpus_dir
    listed = [e["file"] for e in _entries(corpus)]
    present = [f.name for f in files if f.name in listed and (corpus / f.name).read_bytes() == f.read_bytes()]
    print(f"\n16 concurrent adds: {len(present)}/16 entries with their files, in {elapsed:.1f} s")
    assert [r.status_code for r in responses] == [202] * 16, [r.text for r in responses if r.status_code != 202]
    assert len(present) == 16 and len(listed) == len(set(listed)) == 5 + 16
    assert _leftovers(corpus) == []


async def test_a_300_character_file_name_gets_one_vietnamese_line(upload_settings, tmp_path):
    long_name = ("Kế hoạch cải cách hành chính " * 11)[:295] + ".docx"  # 300 characters
    plan = _plan(tmp_path, "ha-nam-2023.docx")
    before = sorted(p.name for p in upload_settings.corpus_dir.iterdir())
    app = create_app(upload_settings)

    async with AppClient(app) as http:
        shown = await http.post("/api/admin/plans/preview", files=_upload(plan, long_name), headers=AUTH)
        added = await http.post("/api/admin/plans", files=_upload(plan, long_name), headers=AUTH)

    assert len(long_name) == 300
    for response in (shown, added):
        assert response.status_code == 400
        assert response.json()["detail"] == "Tên tệp dài quá 120 ký tự; hãy đặt tên ngắn hơn, ví dụ ke-hoach-2026.docx."
    assert sorted(p.name for p in upload_settings.corpus_dir.iterdir()) == before


async def test_an_add_that_fails_half_way_leaves_nothing_and_the_next_one_lands(upload_settings, tmp_path, monkeypatch):
    corpus = upload_settings.corpus_dir
    plan = _plan(tmp_path, "ha-nam-2023.docx")
    manifest_before = (corpus / "manifest.toml").read_bytes()
    real_replace = os.replace

    def disk_full_at_the_manifest(source: str | Path, target: str | Path) -> None:
        if Path(target).name == "manifest.toml":  # the plan file is already in place by now
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(source, target)

    app = create_app(upload_settings)
    async with AppClient(app) as http:
        monkeypatch.setattr(indexer.corpus.os, "replace", disk_full_at_the_manifest)
        failed = await http.post("/api/admin/plans", files=_upload(plan), headers=AUTH)
        after_failure = sorted(p.name for p in corpus.iterdir())
        monkeypatch.setattr(indexer.corpus.os, "replace", real_replace)
        again = await http.post("/api/admin/plans", files=_upload(plan), headers=AUTH)
        await asyncio.to_thread(app.state.runtime.wait_reindex, 300)

    assert failed.status_code == 400
    assert failed.json()["detail"] == ("Chưa thêm được kế hoạch: không ghi được vào kho kế hoạch (ổ đĩa đã đầy). "
                                       "Không có gì thay đổi; hãy báo quản trị viên.")
    assert "ha-nam-2023.docx" not in after_failure and not any(n.startswith(".cchc-add-") for n in after_failure)
    assert again.status_code == 202
    assert [e["file"] for e in _entries(corpus)].count("ha-nam-2023.docx") == 1 and (corpus / "ha-nam-2023.docx").exists()
    assert (corpus / "manifest.toml").read_bytes().startswith(manifest_before.rstrip(b"\n"))


async def test_a_file_left_without_its_entry_never_blocks_a_re_upload(upload_settings, tmp_path):
    corpus = upload_settings.corpus_dir
    (corpus / "ha-nam-2023.docx").write_bytes(b"half of a file from a server that was killed")
    plan = _plan(tmp_path, "ha-nam-2023.docx")
    app = create_app(upload_settings)

    async with AppClient(app) as http:
        added = await http.post("/api/admin/plans", files=_upload(plan), headers=AUTH)
        await asyncio.to_thread(app.state.runtime.wait_reindex, 300)
        again = await http.post("/api/admin/plans", files=_upload(plan), headers=AUTH)

    assert added.status_code == 202
    assert (corpus / "ha-nam-2023.docx").read_bytes() == plan.read_bytes()
    assert again.status_code == 400 and "Đã có tệp «ha-nam-2023.docx»" in again.json()["detail"]  # now it is listed
