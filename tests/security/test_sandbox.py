"""The parsing worker bounds what the checks let through: a file that needs too much memory, CPU or
time is refused with the setting's name, the worker and everything it started are killed, and the
next file is read by a fresh worker. Job folders never outlive their job or a killed server."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from cchc.errors import FileLimitError
from cchc.settings import get_settings
from indexer.sandbox import ParseSandbox
from tests.indexer.test_metadata import _plan_docx
from tests.security import hostile


@pytest.fixture
def plan(tmp_path: Path) -> bytes:
    path = tmp_path / "ke-hoach.docx"
    _plan_docx(path, "196/KH-UBND", "24 tháng 12 năm 2022", "Cải cách hành chính nhà nước tỉnh Hà Nam năm 2023",
               [["1", "Số hóa hồ sơ lưu trữ lịch sử của tỉnh", "Sở Nội vụ", "Quý II/2023"],
                ["2", "Rà soát thủ tục hành chính lĩnh vực đất đai", "Sở Tài nguyên và Môi trường", "Quý III/2023"]])
    return path.read_bytes()


def _sandbox(tmp_path: Path, **limits: object) -> ParseSandbox:
    return ParseSandbox(get_settings(data_dir=tmp_path / "data", **limits))


def _process_groups() -> dict[int, int]:
    """pid -> process group of every living process now (killed ones not yet reaped left out)."""
    groups = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if fields[0] not in "ZX":
                groups[int(entry)] = int(fields[2])
    return groups


def _left_in(groups: set[int]) -> set[int]:
    """Processes still running in these groups, after the kernel has had a moment to end them."""
    ending = threading.Event()
    for _ in range(50):
        left = {pid for pid, group in _process_groups().items() if group in groups}
        if not left:
            break
        ending.wait(0.1)
    return left


def _workers_seen(done: threading.Event, seen: set[int]) -> None:
    """Collect our children that lead their own process group: the parsing workers."""
    me = str(os.getpid())
    while not done.is_set():
        for pid, group in _process_groups().items():
            try:
                parent = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1]
            except OSError:
                continue
            if parent == me and group == pid:
                seen.add(pid)
        done.wait(0.05)


def test_a_plan_is_read_in_the_worker_and_its_folder_removed(tmp_path, plan):
    sandbox = _sandbox(tmp_path)
    try:
        shown = sandbox.preview("Kế hoạch CCHC Hà Nam.docx", plan)
    finally:
        sandbox.close()
    assert shown.error is None and shown.rows == 2 and shown.metadata.province == "Hà Nam"
    assert shown.file == "Ke-hoach-CCHC-Ha-Nam.docx"
    assert list(sandbox.root.iterdir()) == []


LIMITS = {
    # The checks are raised out of the way so that the worker meets the file.
    # A wall-clock limit well under the suite's timeout: a worker that hangs instead of dying fails fast.
    "memory": ("whole-sheet-merge.xlsx", {"max_sheet_cells": 10**12, "parse_memory_mb": 512, "parse_timeout_seconds": 120},
               "Đọc tệp cần hơn 512 MB bộ nhớ, vượt giới hạn (CCHC_PARSE_MEMORY_MB)."),
    "cpu": ("far-cell.xlsx", {"max_sheet_cells": 10**12, "parse_memory_mb": 8192, "parse_cpu_seconds": 2,
                              "parse_timeout_seconds": 120},
            "Đọc tệp cần hơn 2 giây CPU, vượt giới hạn (CCHC_PARSE_CPU_SECONDS)."),
    "time": ("blank-pages.pdf", {"max_pdf_pages": 5000, "parse_timeout_seconds": 4},
             "Đọc tệp mất hơn 4 giây, vượt giới hạn (CCHC_PARSE_TIMEOUT_SECONDS)."),
}


@pytest.mark.parametrize("limit", list(LIMITS))
def test_a_file_over_a_worker_limit_is_refused_and_the_next_file_is_read(tmp_path, plan, limit):
    name, settings, message = LIMITS[limit]
    sandbox = _sandbox(tmp_path, **settings)
    done, workers = threading.Event(), set()
    watcher = threading.Thread(target=_workers_seen, args=(done, workers))
    watcher.start()
    try:
        with pytest.raises(FileLimitError) as refused:
            sandbox.preview(name, hostile.HOSTILE[name]())
        done.set()
        watcher.join()
        left = _left_in(workers)
        after = sandbox.preview("ke-hoach.docx", plan)
    finally:
        done.set()
        sandbox.close()
    assert str(refused.value) == message
    assert workers and left == set()  # the worker, its OCR processes and Tesseract are all gone
    assert after.error is None and after.rows == 2  # read by a fresh worker
    assert list(sandbox.root.iterdir()) == []


def test_start_up_removes_the_folders_of_servers_that_are_gone(tmp_path):
    sandbox = _sandbox(tmp_path)
    sandbox.root.mkdir(parents=True)
    gone = sandbox.root / "4194304-killed"  # above any pid_max: no such process
    running = sandbox.root / f"{os.getppid()}-another-worker"
    for folder in (gone, running):
        folder.mkdir()
        (folder / "ke-hoach.pdf").write_bytes(b"%PDF")
    (sandbox.root / "stray").write_text("?")

    assert sandbox.clear_leftovers() == 2
    assert sorted(p.name for p in sandbox.root.iterdir()) == [running.name]
