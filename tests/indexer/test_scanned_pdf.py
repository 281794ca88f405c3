"""A plan printed and scanned: the multi-page PDF of split rows (tests.indexer.paged_pdf) as 200-dpi
grey JPEG page images, each slightly turned. Real Tesseract reads it cell by cell; it must give
the seed's rows (±2) with every lead agency and deadline right, the header block read from the
body above the table, and a second read of the same file must cost no OCR at all."""

from __future__ import annotations

import difflib

import pytest

from rich.console import Console

from cli.check import print_preview
from indexer.parsers import parse_document, read_metadata_of
from indexer.parsers.metadata import DocumentMetadata
from indexer.preview import Preview, _row_preview
from indexer.parsers.ocr import OcrOptions, ocr_available
from indexer.records import Layout
from service.wiring import agency_table
from tests.indexer.seed_layouts import converted_plan, seed

pytestmark = pytest.mark.skipif(ocr_available() is not None, reason=f"OCR unavailable here: {ocr_available()}")
ROWS = 20  # three pages: OCR costs seconds per page


@pytest.fixture(scope="module")
def scan(hungyen_scan, tmp_path_factory):
    """(seed table, scan, OCR options, parsed scan, seconds per page): Tesseract read the scan once
    for the run (tests.indexer.shared_scan); this module parses it from a copy of that OCR cache."""
    folder = tmp_path_factory.mktemp("scan")
    table = seed("hungyen2022")
    table.parsed.rows = table.parsed.rows[:ROWS]
    path = hungyen_scan.path
    options = OcrOptions(cache_dir=hungyen_scan.ocr_cache(folder / "ocr"), workers=2)
    converted = parse_document(converted_plan(table, path, "pdf"), path, agency_table(), options)
    return table, path, options, converted, hungyen_scan.seconds_per_page


def _matched(original, converted):
    """Pairs of seed and scanned rows, lined up by their task and activity text."""
    key = lambda row: f"{row.task} {row.activity}".split()  # noqa: E731
    matcher = difflib.SequenceMatcher(None, [" ".join(key(r)) for r in original], [" ".join(key(r)) for r in converted], autojunk=False)
    return [(original[a.a + i], converted[a.b + i]) for a in matcher.get_matching_blocks() for i in range(a.size)] or list(zip(original, converted))


def test_a_scanned_plan_gives_the_seed_rows_with_their_agencies_and_deadlines(scan, capsys, monkeypatch):
    table, path, options, converted, seconds = scan
    original = table.parsed.rows
    assert abs(len(converted.rows) - len(original)) <= 2, (len(converted.rows), len(original))
    pairs = list(zip(original, converted.rows)) if len(converted.rows) == len(original) else _matched(original, converted.rows)
    assert len(pairs) >= len(original) - 2
    correct = {"lead": 0, "period": 0, "task": 0, "activity": 0}
    for before, after in pairs:
        assert [a.id for a in after.lead] == [a.id for a in before.lead], (before.label, after.lead_text)
        assert after.period.text == before.period.text, (before.label, after.period.text)
        correct["lead"] += 1
        correct["period"] += 1
        correct["task"] += before.task.split() == after.task.split()
        correct["activity"] += before.activity.split() == after.activity.split()
        assert after.cell_confidence and all(0 <= c <= 100 for c in after.cell_confidence.values())
    with capsys.disabled():
        per_column = ", ".join(f"{k} {v}/{len(original)}" for k, v in correct.items())
        print(f"\n[scan] {len(converted.rows)} of {len(original)} rows; exact {per_column}; {seconds:.1f} s per page (2 workers)")

    # The same file again: every page comes from the cache, none is read.
    monkeypatch.setattr("indexer.parsers.ocr.read_page", lambda *a: pytest.fail("a cached page was read again"))
    again = parse_document(converted_plan(table, path, "pdf"), path, agency_table(), options)
    assert [r.id for r in again.rows] == [r.id for r in converted.rows]
    metadata = read_metadata_of(path, Layout.PDF, options)
    assert metadata.doc_number == "196/KH-UBND" and metadata.province == "Hưng Yên"


def test_uncertain_cells_are_flagged_not_dropped(scan):
    table, path, options, _, _ = scan
    strict = options.model_copy(update={"low_confidence": 100.0})  # no cell is read that surely

    converted = parse_document(converted_plan(table, path, "pdf"), path, agency_table(), strict)

    assert abs(len(converted.rows) - ROWS) <= 2
    for row in converted.rows:
        assert row.low_confidence_fields and set(row.low_confidence_fields) == set(row.cell_confidence)
        assert row.lead and row.period.text  # flagged, still there

    # `cchc check` shows each row's page and highlights the cells to check against the scan.
    console = Console(record=True, width=600)
    print_preview(console, Preview(file=path.name, plan_id="hungyen2022", layout=Layout.PDF, metadata=DocumentMetadata(),
                                   rows=len(converted.rows), first_rows=[_row_preview(r) for r in converted.rows[:5]]))
    shown = console.export_text(styles=True)
    assert "Trang" in shown and "Cần kiểm tra" in shown and "Cơ quan chủ trì (" in shown
    assert "\x1b[30;43m" in shown  # black on yellow: the flagged cells
    pages = [r.page for r in converted.rows]
    assert pages == sorted(pages) and pages[0] == 1 and set(pages) <= {1, 2, 3} and len(set(pages)) >= 2
