"""Reading a scan tells how far it is, page by page, and uses the operator's OCR settings: the
3-page scan of tests.indexer.paged_pdf (tests.indexer.shared_scan), its middle page read by real
Tesseract once for the module, the others and every later read from the OCR cache (which is part
of what is tested)."""

from __future__ import annotations

import re
import shutil

import pytest
from click.testing import CliRunner

from cchc.settings import get_settings
from cli.main import main
from indexer.parsers.ocr import OcrOptions, ocr_available
from indexer.preview import preview
from service.wiring import agency_table, build
from tests.fake_embedding import SETTINGS as FAKE_MODEL

pytestmark = pytest.mark.skipif(ocr_available() is not None, reason=f"OCR unavailable here: {ocr_available()}")


@pytest.fixture(scope="module")
def scan(hungyen_scan, tmp_path_factory):
    """(scan, data folder whose OCR cache holds it, pages told while it was first read). The header
    block's pages (first and last) come from the run's shared OCR cache; Tesseract reads the middle
    page here, so the count is told as a page is read as well as from the cache."""
    folder = tmp_path_factory.mktemp("scan-progress")
    path = shutil.copyfile(hungyen_scan.path, folder / "hy-scan.pdf")
    data_dir = folder / "data"
    hungyen_scan.ocr_cache(data_dir / "ocr", pages=(0, 2))
    told: list[tuple[int, int]] = []
    shown = preview(path, agency_table(), OcrOptions(cache_dir=data_dir / "ocr", workers=2, progress=lambda d, t: told.append((d, t))))
    assert shown.error is None, shown.error
    assert len(list((data_dir / "ocr").glob("*/*.json"))) == 3  # the page read is cached with the others
    return path, data_dir, told


def test_each_scanned_page_is_told_once_as_it_is_read_and_again_from_the_cache(scan):
    path, data_dir, told = scan
    # The header block's pages (first and last) are read first, uncounted; then the count runs up once.
    assert told == [(1, 3), (2, 3), (3, 3)]

    again: list[tuple[int, int]] = []
    preview(path, agency_table(), OcrOptions(cache_dir=data_dir / "ocr", workers=2, progress=lambda d, t: again.append((d, t))))
    assert again == [(1, 3), (2, 3), (3, 3)]


def test_the_preview_uses_the_threshold_it_is_given_and_shows_each_rows_page(scan):
    path, data_dir, _ = scan
    strict = preview(path, agency_table(), OcrOptions(cache_dir=data_dir / "ocr", low_confidence=100.0))
    lenient = preview(path, agency_table(), OcrOptions(cache_dir=data_dir / "ocr", low_confidence=0.0))

    assert len(strict.records) == strict.rows and abs(strict.rows - 20) <= 2
    assert all(r.flagged and all(0 <= c < 100 for c in r.flagged.values()) for r in strict.records)
    assert all("lead" in r.flagged and "period" in r.flagged for r in strict.records)
    assert not any(r.flagged for r in lenient.records)
    pages = [r.page for r in strict.records]
    assert pages == sorted(pages) and pages[0] == 1 and set(pages) <= {1, 2, 3} and len(set(pages)) >= 2


def test_cchc_check_reads_with_the_operators_ocr_settings(scan, monkeypatch):
    path, data_dir, _ = scan
    monkeypatch.setattr("indexer.parsers.ocr.read_page", lambda *a: pytest.fail("the OCR cache in the data folder was not used"))
    monkeypatch.setenv("CCHC_OCR_LOW_CONFIDENCE", "100")

    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "check", str(path)])

    assert "Cần kiểm tra" in result.output and re.search(r"Cơ quan chủ trì \(\d+%\)", result.output), result.output


def test_cchc_index_reports_ocr_pages_to_its_progress_bar(scan, tmp_path):
    path, data_dir, _ = scan
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copyfile(path, corpus / path.name)
    (corpus / "manifest.toml").write_text(f'[[plan]]\nfile = "{path.name}"\nyear = 2022\ntitle = "Kế hoạch CCHC"\n', encoding="utf-8")
    shutil.copytree(data_dir / "ocr", tmp_path / "data" / "ocr")
    told: list[tuple[str, int, int]] = []

    report = build(get_settings(corpus_dir=corpus, data_dir=tmp_path / "data", **FAKE_MODEL), lambda *a: told.append(a))

    assert not report.failed, [d.error for d in report.documents]
    assert [t for t in told if t[0] == "ocr"][-3:] == [("ocr", 1, 3), ("ocr", 2, 3), ("ocr", 3, 3)]
