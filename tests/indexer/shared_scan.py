"""The 3-page scan of tests.indexer.paged_pdf (the first 20 Hưng Yên rows, 200-dpi grey JPEG pages
turned 0.4°), read by real Tesseract (two processes) once for the whole run and shared by the
modules that read it: OCR costs seconds per page, and every module used to read the same pages
again. Under xdist the first worker to need it reads it while the other waits on a file lock; the
scan file itself is shared too, since the OCR cache is keyed by its bytes (which carry a date).

Tests that are about reading as it happens (live page counts) take a cache holding only some
pages (`ocr_cache`), so Tesseract still reads the rest in front of them."""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock

from indexer.parsers.ocr import OcrOptions, read_pages
from tests.indexer.paged_pdf import scanned, write_paged_pdf
from tests.indexer.seed_layouts import seed

ROWS = 20  # three pages, one row split across a page break
PAGES = 3


@dataclass(frozen=True)
class SharedScan:
    path: Path  # the scan; copy it before changing it
    ocr: Path  # an OCR cache (OcrOptions.cache_dir) holding all its pages
    seconds_per_page: float  # of the one real read (two processes)

    def ocr_cache(self, target: Path, pages: tuple[int, ...] = tuple(range(PAGES))) -> Path:
        """A copy of the OCR cache at `target` holding only `pages` (0-based): the others are read."""
        shutil.copytree(self.ocr, target)
        for cached in target.glob("*/*.json"):
            if int(cached.stem.rsplit("-", 1)[1]) not in pages:
                cached.unlink()
        return target


def _read(folder: Path) -> SharedScan:
    table = seed("hungyen2022")
    table.parsed.rows = table.parsed.rows[:ROWS]
    printed = write_paged_pdf(table, folder / "hy-text.pdf")
    assert printed.pages == PAGES and printed.split_rows >= 1
    path = scanned(printed.path, folder / "hy-scan.pdf", dpi=200, skew=0.4)
    started = time.perf_counter()
    read_pages(path, list(range(PAGES)), OcrOptions(cache_dir=folder / "ocr", workers=2))
    return SharedScan(path, folder / "ocr", (time.perf_counter() - started) / PAGES)


def shared_scan(tmp_path_factory: pytest.TempPathFactory) -> SharedScan:
    """The scan and its full OCR cache, read once per run (once per worker's run without xdist)."""
    # Under xdist each worker's base temp is a sibling in this run's own folder; without it the
    # parent holds earlier runs, so the scan stays in this run's base temp.
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    folder = root / "shared-hungyen-scan"
    done = folder / "done.json"
    with FileLock(str(root / "shared-hungyen-scan.lock")):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            shared = _read(folder)
            done.write_text(json.dumps({"seconds_per_page": shared.seconds_per_page}), encoding="utf-8")
    seconds = json.loads(done.read_text(encoding="utf-8"))["seconds_per_page"]
    return SharedScan(folder / "hy-scan.pdf", folder / "ocr", seconds)
