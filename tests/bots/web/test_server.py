"""`cchc serve` as an operator runs it: builds the missing index first, then serves behind a path
prefix (CCHC_ROOT_PATH) on the configured address."""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.fake_embedding import SETTINGS as FAKE_MODEL

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]
PLAN = """\
[[plan]]
id = "namdinh2022"
file = "nam-dinh-2022-phu-luc.txt"
province = "Nam Định"
year = 2022
title = "Phụ lục: Nhiệm vụ theo Kế hoạch cải cách hành chính tỉnh Nam Định năm 2022"
short_title = "KH CCHC 2022 Nam Định"
layout = "tsv"
columns = ["section", "task", "activity", "lead", "coordinating", "period", "budget"]
"""


def test_serve_builds_a_missing_index_then_serves_under_the_prefix(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "manifest.toml").write_text(PLAN, encoding="utf-8")
    shutil.copyfile(ROOT / "corpus" / "nam-dinh-2022-phu-luc.txt", corpus / "nam-dinh-2022-phu-luc.txt")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCHC_")}
    env.update(
        CCHC_CORPUS_DIR=str(corpus), CCHC_DATA_DIR=str(tmp_path / "data"), CCHC_HOST="127.0.0.1",
        CCHC_PORT="0", CCHC_ROOT_PATH="/tro-ly", PYTHONUNBUFFERED="1", PYTHONPATH=str(ROOT),
        CCHC_EMBEDDING_MODEL=FAKE_MODEL["embedding_model"], CCHC_PLUGINS=",".join(FAKE_MODEL["plugins"]),
    )
    command = [str(Path(sys.executable).with_name("cchc")), "serve"]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True).start()
    log: list[str] = []
    url = None
    try:
        deadline = time.monotonic() + 300  # a bound on waiting, not an assertion on speed
        while url is None and time.monotonic() < deadline and process.poll() is None:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            log.append(line)
            if match := re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", line):
                url = match.group(1)
        assert url, "".join(log)

        # The reverse proxy strips /tro-ly before forwarding; links and docs keep it.
        health = httpx.get(f"{url}/api/health", timeout=30).json()
        schema = httpx.get(f"{url}/openapi.json", timeout=30).json()
        page = httpx.get(f"{url}/", timeout=30)
        answer = httpx.post(
            f"{url}/api/ask", json={"question": "Sở Tư pháp chủ trì những việc gì trong quý này?", "today": "2022-02-01"}, timeout=60
        ).json()
    finally:
        process.terminate()
        process.wait(30)

    output = "".join(log)
    assert "Xây dựng chỉ mục trước khi phục vụ (chưa có chỉ mục)" in output
    assert re.search(r"Tính véc-tơ nhúng: \d+/\d+", output)
    assert "Đã xây dựng chỉ mục: 65 dòng" in output
    assert health["loaded"] is True and health["plans"] == 1
    assert schema["servers"] == [{"url": "/tro-ly"}]
    assert page.status_code == 200 and 'src="static/app.js"' in page.text  # relative: works under the prefix
    assert answer["found"] and answer["citations"][0]["id"].startswith("namdinh2022_")
