"""`cchc ask` with «đơn vị của tôi» (--agency/--province), from the real executable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.fake_embedding import SETTINGS as FAKE_MODEL

ROOT = Path(__file__).resolve().parents[1]
CCHC = Path(sys.executable).with_name("cchc")


def ask(settings, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCHC_")}
    env.update(PYTHONPATH=str(ROOT), CCHC_EMBEDDING_MODEL=FAKE_MODEL["embedding_model"],
               CCHC_PLUGINS=",".join(FAKE_MODEL["plugins"]))
    return subprocess.run([str(CCHC), "--corpus", str(settings.corpus_dir), "--data-dir", str(settings.data_dir),
                           "ask", *args], capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)


def test_my_unit_scopes_the_question_to_its_province(built_settings):
    result = ask(built_settings, "Đơn vị tôi phải làm gì trong quý IV/2022?", "--today", "2022-11-01",
                 "--agency", "SNV", "--province", "ha tinh", "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["found"] and {c["province"] for c in answer["citations"]} == {"Hà Tĩnh"}
    assert answer["query"]["agency"]["id"] == "so-noi-vu" and answer["query"]["from_profile"] == ["agency", "province"]


def test_a_province_no_plan_holds_is_one_vietnamese_line(built_settings):
    result = ask(built_settings, "Đơn vị tôi phải làm gì?", "--agency", "SNV", "--province", "Atlantis")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Atlantis" in lines[0] and "Đơn vị của tôi" in lines[0]
