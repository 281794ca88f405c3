"""add_plan under contention: sixteen writers released at the same instant all land, each with its
file and its entry, and the manifest keeps its comments."""

from __future__ import annotations

import shutil
import threading
import tomllib
from pathlib import Path

from indexer.corpus import add_plan

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def test_sixteen_writers_at_once_lose_no_entry(tmp_path: Path):
    shutil.copyfile(CORPUS / "manifest.toml", tmp_path / "manifest.toml")
    start = threading.Barrier(16)
    failures: list[BaseException] = []

    def add(number: int) -> None:
        start.wait()
        try:
            add_plan(tmp_path, f"ke-hoach-{number:02d}.docx", bytes([number]) * 50_000,
                     {"province": "Hà Nam", "year": 2023, "title": f"Kế hoạch số {number}\nthử"})
        except BaseException as exc:  # noqa: BLE001 - every failure is reported below
            failures.append(exc)

    writers = [threading.Thread(target=add, args=(n,)) for n in range(16)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)

    text = (tmp_path / "manifest.toml").read_text(encoding="utf-8")
    added = {e["file"]: e for e in tomllib.loads(text)["plan"] if e["file"].startswith("ke-hoach-")}
    assert failures == []
    assert sorted(added) == [f"ke-hoach-{n:02d}.docx" for n in range(16)]
    assert all((tmp_path / name).read_bytes() == bytes([int(name[9:11])]) * 50_000 for name in added)
    assert added["ke-hoach-07.docx"]["title"] == "Kế hoạch số 7 thử"
    assert text.startswith("# One entry per plan.")
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".cchc-add-")]
