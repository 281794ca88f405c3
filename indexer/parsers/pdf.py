"""PDF plans through pdfplumber: ruled tables page by page, rejoined into one grid so a row split
over a page break is rejoined by the assembler as in the text layouts; repeated headers dropped.

Text outside the tables becomes the body lines, minus running page headers and page numbers.
Pages without a text layer (scans) are read by Tesseract OCR with its Vietnamese data when it is
installed (`pip install .[ocr]`, Debian `tesseract-ocr tesseract-ocr-vie`), cell by cell from the
grid of their ruling lines (parsers.ocr); their rows join the others, page breaks included.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from cchc.errors import DocumentError
from indexer.parsers.columns import Classify
from indexer.parsers.grid import GridCell, table_from_grid
from indexer.parsers.ocr import OcrOptions, OcrPage, ocr_available, read_pages
from indexer.parsers.reflow import Word, cell_text
from indexer.parsers.table import RawTable
from indexer.vntext import clean_text

_PAGE_NUMBER = re.compile(r"^(trang\s*)?\d{1,3}(\s*/\s*\d{1,3})?$", re.IGNORECASE)


def _words(page: Any) -> list[Word]:
    return [Word(clean_text(w["text"]), w["x0"], w["x1"], w["top"], w["bottom"]) for w in page.extract_words()]


def _cell(words: list[Word], box: tuple[float, float, float, float] | None) -> str:
    """A cell's text, its paragraphs kept apart (parsers.reflow); "" where a merged cell spans."""
    if box is None:
        return ""
    x0, top, x1, bottom = box
    inside = [w for w in words if x0 <= (w.x0 + w.x1) / 2 <= x1 and top <= (w.top + w.bottom) / 2 <= bottom]
    return cell_text(inside, x0, x1)


def _page_rows(page: Any) -> tuple[list[list[str]], list[Any]]:
    found = page.find_tables()
    words = _words(page) if found else []
    rows = [[_cell(words, box) for box in row.cells] for table in found for row in table.rows]
    return rows, found


def _outside(tables: list[Any]) -> Any:
    boxes = [table.bbox for table in tables]

    def keep(obj: dict) -> bool:
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    return keep


def _drop_running_lines(pages: list[list[str]]) -> list[str]:
    """Body lines, without page numbers and lines repeated at the top of most pages."""
    tops = Counter(line for page in pages for line in page[:2] if line.strip())
    running = {line for line, count in tops.items() if len(pages) > 2 and count > len(pages) / 2}
    return [line for page in pages for line in page if line not in running and not _PAGE_NUMBER.match(line.strip())]


def _scanned_grid(page: OcrPage, number: int) -> list[list[GridCell]]:
    return [[GridCell(cell.text, cell.merged_left, cell.merged_up, page_break_before=number > 0 and index == 0,
                      confidence=cell.confidence, page=number + 1) for cell in row] for index, row in enumerate(page.grid)]


def _text_page(page: Any, number: int) -> tuple[list[str], list[list[GridCell]]]:
    rows, tables = _page_rows(page)
    grid = [[GridCell(text, page_break_before=number > 0 and index == 0, page=number + 1) for text in row]
            for index, row in enumerate(rows)]
    text = page.filter(_outside(tables)).extract_text() or ""
    return [clean_text(line) for line in text.split("\n")], grid


def read_pdf(path: Path, override: list[str] | None, classify: Classify,
             ocr: OcrOptions | None = None) -> tuple[list[str], list[RawTable]]:
    import pdfplumber

    page_lines: list[list[str]] = []
    grid: list[list[GridCell]] = []
    with pdfplumber.open(str(path)) as pdf:
        scans = [number for number, page in enumerate(pdf.pages) if not page.chars]  # no text layer
        missing_ocr = ocr_available() if scans else None
        if missing_ocr and len(scans) == len(pdf.pages):
            raise DocumentError(path.name, f"tệp PDF là bản quét (không có lớp chữ) mà máy này chưa đọc được bằng OCR: {missing_ocr}")
        scanned = read_pages(path, scans, ocr or OcrOptions()) if scans and not missing_ocr else {}
        for number, page in enumerate(pdf.pages):
            if number in scanned:
                lines, rows = scanned[number].lines, _scanned_grid(scanned[number], number)
            elif number in scans:
                continue
            else:
                lines, rows = _text_page(page, number)
            page_lines.append(lines)
            grid += rows
    table = table_from_grid(_rectangular(grid), classify, override, first_line=sum(map(len, page_lines)) + 1)
    if table is not None:
        table.low_confidence = (ocr or OcrOptions()).low_confidence
    return _drop_running_lines(page_lines), [table] if table is not None else []


def _rectangular(grid: list[list[GridCell]]) -> list[list[GridCell]]:
    """Rows of the widest table only: other small tables (signatures, recipients) are not tasks."""
    if not grid:
        return grid
    width = Counter(len(row) for row in grid).most_common(1)[0][0]
    return [row for row in grid if len(row) == width]


def pdf_text_lines(path: Path, ocr: OcrOptions | None = None) -> list[str]:
    """The first and last pages' text, where the header block and the signature are (read by OCR on a scan)."""
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        ends = sorted({0, len(pdf.pages) - 1})
        texts = {i: pdf.pages[i].extract_text() or "" for i in ends}
    scans = [i for i in ends if not texts[i].strip()]
    if scans and ocr_available() is None:
        for index, page in read_pages(path, scans, ocr or OcrOptions()).items():
            texts[index] = "\n".join(page.lines)
    return [clean_text(line) for i in ends for line in texts[i].split("\n")]
