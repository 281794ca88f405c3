"""Scanned pages: Tesseract reads the words (Vietnamese data), the ruling lines in the image give
the table's grid, and each word goes to the cell it sits in.

Tesseract alone reads a ruled table as a jumble of lines; the grid drawn on the page is what keeps
its columns apart, so it is found in the pixels: long dark runs are ruling lines. A boundary with
no line inside a row is a merged cell (a section heading spanning the row).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from typing import Any

import numpy as np

from indexer.parsers.grid import GridCell
from indexer.vntext import clean_text

OCR_LANGUAGE = "vie"
OCR_RESOLUTION = 300
# Sparse text: a table is many short, separate pieces; the default page layout drops some of them.
OCR_CONFIG = "--psm 11"
_DARK = 128
_LINE_SHARE = 0.5  # a ruling line covers at least half the table's width (or height)
_MIN_CONFIDENCE = 0.0
_LINE_HALF_WIDTH = 2  # pixels painted out on each side of a ruling line's centre


def ocr_available() -> str | None:
    """None when OCR can run here, else what is missing (Vietnamese, for the operator)."""
    try:
        import pytesseract
    except ImportError:
        return "chưa cài gói pytesseract (pip install .[ocr])"
    if shutil.which("tesseract") is None:
        return "chưa cài Tesseract (Debian: apt install tesseract-ocr tesseract-ocr-vie)"
    if OCR_LANGUAGE not in pytesseract.get_languages(config=""):
        return "Tesseract chưa có dữ liệu tiếng Việt (Debian: apt install tesseract-ocr-vie)"
    return None


def _runs(mask: np.ndarray) -> list[int]:
    """Centres of consecutive True runs."""
    positions, start = [], None
    for index, on in enumerate([*mask.tolist(), False]):
        if on and start is None:
            start = index
        elif not on and start is not None:
            positions.append((start + index - 1) // 2)
            start = None
    return positions


@dataclass
class _Word:
    text: str
    x: float
    y: float
    height: float


def _reading_lines(words: list[_Word]) -> list[list[_Word]]:
    """Lines top to bottom, each left to right; a new line where a word sits clearly lower
    (sparse-text mode gives no line numbers worth trusting)."""
    lines: list[list[_Word]] = []
    for word in sorted(words, key=lambda w: w.y):
        if lines and word.y - lines[-1][0].y < max(word.height, lines[-1][0].height) * 0.6:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w.x) for line in lines]


def _words(image: Any) -> list[_Word]:
    import pytesseract

    data = pytesseract.image_to_data(image, lang=OCR_LANGUAGE, config=OCR_CONFIG, output_type=pytesseract.Output.DICT)
    words = []
    for i, text in enumerate(data["text"]):
        if text.strip() and float(data["conf"][i]) >= _MIN_CONFIDENCE:
            x = data["left"][i] + data["width"][i] / 2
            y = data["top"][i] + data["height"][i] / 2
            words.append(_Word(clean_text(text), x, y, float(data["height"][i])))
    return words


def _lines_of(words: list[_Word]) -> list[str]:
    return [" ".join(w.text for w in line) for line in _reading_lines(words)]


def _cell_texts(words: list[_Word], rows: list[int], columns: list[int]) -> list[list[list[_Word]]]:
    cells: list[list[list[_Word]]] = [[[] for _ in columns[1:]] for _ in rows[1:]]
    for word in words:
        r = next((i for i in range(len(rows) - 1) if rows[i] <= word.y < rows[i + 1]), None)
        c = next((i for i in range(len(columns) - 1) if columns[i] <= word.x < columns[i + 1]), None)
        if r is not None and c is not None:
            cells[r][c].append(word)
    return cells


def _without_lines(gray: np.ndarray, rows: list[int], columns: list[int]) -> Any:
    """The page with its ruling lines painted out: Tesseract skips text boxed in by lines."""
    from PIL import Image

    clean = gray.copy()
    for y in rows:
        clean[max(0, y - _LINE_HALF_WIDTH): y + _LINE_HALF_WIDTH + 1, :] = 255
    for x in columns:
        clean[rows[0]: rows[-1] + 1, max(0, x - _LINE_HALF_WIDTH): x + _LINE_HALF_WIDTH + 1] = 255
    return Image.fromarray(clean)


def read_scanned_page(image: Any) -> tuple[list[str], list[list[GridCell]]]:
    """(lines outside the table, table grid) of one page image."""
    gray = np.asarray(image.convert("L"))
    dark = gray < _DARK
    height, width = dark.shape
    rows = _runs(dark.sum(axis=1) > _LINE_SHARE * width)
    band = dark[rows[0]: rows[-1] + 1] if len(rows) >= 3 else dark[:0]
    columns = _runs(band.sum(axis=0) > _LINE_SHARE * band.shape[0]) if len(rows) >= 3 else []
    if len(columns) < 3:
        return _lines_of(_words(image)), []
    words = _words(_without_lines(gray, rows, columns))
    outside = [w for w in words if not (rows[0] <= w.y <= rows[-1] and columns[0] <= w.x <= columns[-1])]
    grid = []
    for r, row in enumerate(_cell_texts(words, rows, columns)):
        top, bottom = rows[r] + 2, rows[r + 1] - 2
        # No ruling line between a cell and the one to its left, inside this row: they are merged,
        # and the merged cell's words all belong to its first position.
        merged = [c > 0 and bottom > top and dark[top:bottom, max(0, columns[c] - 2): columns[c] + 3].any(axis=1).mean()
                  < _LINE_SHARE for c in range(len(row))]
        heads = [max(i for i in range(c + 1) if not merged[i]) for c in range(len(row))]
        gathered: list[list[_Word]] = [[] for _ in row]
        for c, cell_words in enumerate(row):
            gathered[heads[c]].extend(cell_words)
        grid.append([GridCell(" ".join(w.text for line in _reading_lines(cell) for w in line), merged_left=merged[c])
                     for c, cell in enumerate(gathered)])
    return _lines_of(outside), grid
