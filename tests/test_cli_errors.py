"""What an operator sees when something is wrong: one Vietnamese line saying what to do, exit code
1, never a traceback — from the real `cchc` executable."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.fake_embedding import SETTINGS as FAKE_MODEL

ROOT = Path(__file__).resolve().parents[1]
CCHC = Path(sys.executable).with_name("cchc")
SETPRIV = shutil.which("setpriv")


def run(*args: str, user: int | None = None, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("CCHC_")}
    full_env = {**inherited, "PYTHONPATH": str(ROOT), "CCHC_EMBEDDING_MODEL": FAKE_MODEL["embedding_model"],
                "CCHC_PLUGINS": ",".join(FAKE_MODEL["plugins"]), **env}
    prefix = [SETPRIV, f"--reuid={user}", f"--regid={user}", "--clear-groups"] if user is not None else []
    return subprocess.run([*prefix, str(CCHC), *args], capture_output=True, text=True, env=full_env, timeout=120,
                          input=stdin, cwd=ROOT)


def assert_one_line(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Lỗi:") and "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.mark.parametrize(
    ("manifest", "needles"),
    [
        ('[plan]\nid = "a"\nfile = "a.txt"\n', ("[[plan]]", "[plan]")),  # brackets survive the console markup
        ("id = 1\n", ("chưa khai báo kế hoạch nào", "[[plan]]")),
        ("[[plan]\n", ("sai cú pháp TOML",)),
        (None, ("UTF-8", "lưu lại")),
    ],
    ids=["single-brackets", "no-plans", "bad-toml", "not-utf8"],
)
def test_a_bad_manifest_is_one_line(tmp_path, manifest, needles):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    path = corpus / "manifest.toml"
    if manifest is None:
        path.write_bytes('[[plan]]\nid = "a"\ntitle = "Kế hoạch"\n'.encode("utf-16"))  # Notepad's "Unicode"
    else:
        path.write_text(manifest, encoding="utf-8")

    result = run("--corpus", str(corpus), "--data-dir", str(tmp_path / "data"), "index", "--quiet")

    assert_one_line(result, *needles)


def test_a_short_admin_token_is_refused_at_start(tmp_path):
    result = run("--data-dir", str(tmp_path / "data"), "serve", CCHC_ADMIN_TOKEN="ngan-qua")

    assert_one_line(result, "CCHC_ADMIN_TOKEN", "32 ký tự")


def test_a_batch_survives_nul_and_invisible_questions(built_settings):
    batch = "\n".join(json.dumps({"question": q, "today": "2022-11-01"}, ensure_ascii=False) for q in [
        "Sở Nội vụ Hà Tĩnh\u0000 chủ trì những việc gì trong quý này?",
        "\u200b\u200e\u0000",
        "Sở Tư pháp Nam Định chủ trì những việc gì trong quý này?",
    ])
    result = run("--corpus", str(built_settings.corpus_dir), "--data-dir", str(built_settings.data_dir),
                 "ask", "--batch", "-", stdin=batch)

    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert answers[0]["found"] and answers[2]["found"]
    assert answers[1] == {"error": answers[1]["error"]} and "trống" in answers[1]["error"]


@pytest.fixture
def read_only_data(built_settings):
    """A copy of the session's index in a data directory nobody may write to."""
    if os.geteuid() == 0 and SETPRIV is None:
        pytest.skip("running as root without setpriv: a read-only directory cannot be simulated")
    tmp_path = Path(tempfile.mkdtemp(prefix="cchc-ro-"))  # pytest's own tmp dirs are closed to other users
    data = tmp_path / "data"
    shutil.copytree(built_settings.index_dir, data / "index")
    shutil.rmtree(data / "index" / "leases", ignore_errors=True)
    corpus = tmp_path / "corpus"
    shutil.copytree(built_settings.corpus_dir, corpus)
    for path in [tmp_path, *tmp_path.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    yield corpus, data
    for path in [tmp_path, *tmp_path.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    shutil.rmtree(tmp_path)


def test_a_read_only_data_dir_is_read_without_writing(read_only_data):
    corpus, data = read_only_data
    user = 65534 if os.geteuid() == 0 else None  # root writes anywhere; drop to "nobody"
    before = {p: p.stat().st_mtime_ns for p in data.rglob("*")}

    asked = run("--corpus", str(corpus), "--data-dir", str(data), "ask", "Sở Nội vụ Hà Tĩnh chủ trì gì trong quý I/2022?",
                user=user)
    served = run("--corpus", str(corpus), "--data-dir", str(data), "serve", "--port", "1", user=user)

    assert asked.returncode == 0 and "Sở Nội vụ" in asked.stdout, asked.stderr
    assert_one_line(served, "Không ghi được vào thư mục dữ liệu", "CCHC_DATA_DIR")
    assert {p: p.stat().st_mtime_ns for p in data.rglob("*")} == before


def test_an_index_that_must_write_to_a_read_only_dir_is_one_line(read_only_data):
    corpus, data = read_only_data
    user = 65534 if os.geteuid() == 0 else None
    changed = Path(tempfile.mkdtemp(prefix="cchc-corpus-"))
    shutil.copytree(corpus, changed / "corpus", copy_function=shutil.copyfile)
    manifest = changed / "corpus" / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("KH CCHC 2022 Hà Tĩnh", "KH CCHC Hà Tĩnh 2022"),
                        encoding="utf-8")
    for path in [changed, *changed.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)

    result = run("--corpus", str(changed / "corpus"), "--data-dir", str(data), "index", "--quiet", user=user)

    shutil.rmtree(changed)
    assert_one_line(result, "Không có quyền", "CCHC_DATA_DIR")
