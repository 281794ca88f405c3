"""`cchc serve --workers N`: several uvicorn workers over the shared stores, refused without Redis."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.servers import free_port, stop, wait_until

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
CCHC = str(Path(sys.executable).with_name("cchc"))


def _env(built_settings, **extra: str) -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": str(REPO), "CCHC_PLUGINS": "tests.fake_embedding",
            "CCHC_EMBEDDING_MODEL": "fake", "CCHC_CORPUS_DIR": str(built_settings.corpus_dir),
            "CCHC_DATA_DIR": str(built_settings.data_dir), **extra}


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def test_several_workers_need_redis(built_settings) -> None:
    env = _env(built_settings)
    env.pop("CCHC_REDIS_URL", None)
    result = subprocess.run([CCHC, "serve", "--workers", "2", "--port", str(free_port())], env=env, cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "CCHC_REDIS_URL" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_two_workers_serve_questions(built_settings, redis_server, tmp_path) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen([CCHC, "serve", "--workers", "2", "--port", str(port)], cwd=REPO, stdout=out,
                                   stderr=subprocess.STDOUT,
                                   env=_env(built_settings, CCHC_REDIS_URL=redis_server.url.rsplit("/", 1)[0] + "/4"))
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(timeout=2) as probe:  # one client: a new one per poll builds a TLS context (CPU the server needs)
            wait_until(lambda: probe.get(f"{url}/api/health").json()["loaded"], "cchc serve --workers 2", process, log)
        wait_until(lambda: len(_children(process.pid)) >= 2, "two worker processes", process, log)
        answers = [httpx.post(f"{url}/api/ask", json={"question": "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì "
                                                                   "trong quý này?", "today": "2022-11-01"},
                              timeout=60) for _ in range(4)]
    finally:
        stop(process)
    assert all(a.status_code == 200 and a.json()["found"] for a in answers)
    assert len({a.headers["X-Cchc-Build"] for a in answers}) == 1
