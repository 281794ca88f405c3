"""PDF plans through pdfplumber: ruled tables page by page, rejoined into one grid so a row split
over a page break is rejoined by the assembler as in the text layouts; repeated headers dropped.

Text outside the tables becomes the body lines, minus running page headers and page numbers.
Pages without a text layer (scans) are read by Tesseract OCR with its Vietnamese data when it is
installed (`pip install .[ocr]`, Debian `tesseract-ocr tesseract-ocr-vie`), tables included
(parsers.ocr).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from cchc.errors import DocumentError
from indexer.parsers.columns import Classify
from indexer.parsers.grid import GridCell, table_from_grid
from indexer.parsers.ocr import OCR_RESOLUTION, ocr_available, read_scanned_page
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


def _scanned_page(page: Any, number: int) -> tuple[list[str], list[list[GridCell]]]:
    image = page.to_image(resolution=OCR_RESOLUTION).original
    lines, grid = read_scanned_page(image)
    if grid and number > 0:
        grid[0] = [GridCell(c.text, c.merged_left, c.merged_up, page_break_before=True) for c in grid[0]]
    return lines, grid


def _text_page(page: Any, number: int) -> tuple[list[str], list[list[GridCell]]]:
    rows, tables = _page_rows(page)
    grid = [[GridCell(text, page_break_before=number > 0 and index == 0) for text in row] for index, row in enumerate(rows)]
    text = page.filter(_outside(tables)).extract_text() or ""
    return [clean_text(line) for line in text.split("\n")], grid


def read_pdf(path: Path, override: list[str] | None, classify: Classify) -> tuple[list[str], list[RawTable]]:
    import pdfplumber

    page_lines: list[list[str]] = []
    grid: list[list[GridCell]] = []
    missing_ocr = None
    with pdfplumber.open(str(path)) as pdf:
        for number, page in enumerate(pdf.pages):
            if not page.chars:  # a scan: no text layer
                missing_ocr = ocr_available()
                if missing_ocr:
                    continue
                lines, rows = _scanned_page(page, number)
            else:
                lines, rows = _text_page(page, number)
            page_lines.append(lines)
            grid += rows
    if missing_ocr and not page_lines:
        raise DocumentError(path.name, f"tệp PDF là bản quét (không có lớp chữ) mà máy này chưa đọc được bằng OCR: {missing_ocr}")
    table = table_from_grid(_rectangular(grid), classify, override, first_line=sum(map(len, page_lines)) + 1)
    return _drop_running_lines(page_lines), [table] if table is not None else []


def _rectangular(grid: list[list[GridCell]]) -> list[list[GridCell]]:
    """Rows of the widest table only: other small tables (signatures, recipients) are not tasks."""
    if not grid:
        return grid
    width = Counter(len(row) for row in grid).most_common(1)[0][0]
    return [row for row in grid if len(row) == width]


def pdf_text_lines(path: Path) -> list[str]:
    """The first and last pages' text, where the header block and the signature are."""
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        pages = pdf.pages[:1] + pdf.pages[1:][-1:]
        return [clean_text(line) for page in pages for line in (page.extract_text() or "").split("\n")]
