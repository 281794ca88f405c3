"""Scanned pages: deskewed, their table grid found in the ruling lines (parsers.scan_grid), every
cell read by Tesseract with its Vietnamese data, the text above and below the table read as body.

Each cell is cut out and read on its own (one block of text, `--psm 6`), so a table's columns never
run together; one Tesseract process reads all of a page's cells at once (a multi-page TIFF). Each
cell keeps Tesseract's confidence so the record can flag what may be misread. Pages are read in
parallel processes, and what a file's pages gave is cached under the data folder by the file's
content, so reading the same scan again costs nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from cchc.settings import Settings
from indexer.parsers.reflow import Word, cell_text, reading_lines
from indexer.vntext import clean_text

OCR_LANGUAGE = "vie"
OCR_RESOLUTION = 300  # dots per inch at most a scan is read at (its own resolution when lower)
OCR_CONFIG = "--psm 6"  # a cell (or the body above a table) is one block of text
OCR_LINE_CONFIG = "--psm 7"  # a cell a block read left empty: one short line
_ROMAN_SLIP = re.compile(r"[|liI]*")
_ROMAN_WITH_SLIP = re.compile(r"\b(?=[IVXl|]*[IVX])(?=[IVXl|]*[l|])[IVXl|]+\b")
_READ_PX_PER_MM = 16.0  # cells are enlarged to ~400 dpi: Tesseract reads best with letters ~30 px high
_MIN_INK = 12  # ink pixels a cell needs before it is worth reading
_VERSION = hashlib.sha256(b"".join(Path(__file__).with_name(n).read_bytes()
                                   for n in ("ocr.py", "scan_grid.py", "reflow.py"))).hexdigest()[:12]


class OcrOptions(BaseModel):
    """How scans are read; built from Settings by the caller."""

    cache_dir: Path | None = None  # where a file's OCR results are kept; None: not cached
    workers: int = 0  # processes reading pages; 0: one per core
    low_confidence: float = 60.0  # a cell read with less (0-100) is flagged in its record
    # Told (pages done, pages of the file) after each page, cached or read: `cchc index`'s bar and
    # the admin preview's live counts. Never sent to another process.
    progress: Callable[[int, int], None] | None = Field(None, exclude=True)

    @classmethod
    def from_settings(cls, settings: Settings, progress: Callable[[int, int], None] | None = None) -> OcrOptions:
        """The operator's settings: results cached by file content under the data folder."""
        return cls(cache_dir=settings.data_dir / "ocr", workers=settings.ocr_workers,
                   low_confidence=settings.ocr_low_confidence, progress=progress)


class OcrCell(BaseModel):
    text: str = ""
    confidence: float | None = None  # Tesseract's mean word confidence, 0-100; None: empty cell
    merged_left: bool = False
    merged_up: bool = False


class OcrPage(BaseModel):
    lines: list[str]  # body text above and below the table
    grid: list[list[OcrCell]]


def ocr_available() -> str | None:
    """None when OCR can run here, else what is missing (Vietnamese, for the operator)."""
    try:
        import cv2  # noqa: F401
        import pytesseract
    except ImportError:
        return "chưa cài gói pytesseract, opencv-python-headless (pip install .[ocr])"
    if shutil.which("tesseract") is None:
        return "chưa cài Tesseract (Debian: apt install tesseract-ocr tesseract-ocr-vie)"
    if OCR_LANGUAGE not in pytesseract.get_languages(config=""):
        return "Tesseract chưa có dữ liệu tiếng Việt (Debian: apt install tesseract-ocr-vie)"
    return None


def _render(path: Path, index: int) -> tuple[np.ndarray, float]:
    """The page as grey pixels at its scan's own resolution, and pixels per millimetre."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        page = document[index]
        width_pt = page.get_width()
        images = [obj for obj in page.get_objects() if obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE]
        pixels = max((obj.get_px_size()[0] for obj in images), default=0)
        dpi = min(max(pixels / (width_pt / 72), 150), OCR_RESOLUTION) if pixels else OCR_RESOLUTION
        image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        document.close()
    return np.asarray(image), dpi / 25.4


def _read_images(images: list[np.ndarray], config: str = OCR_CONFIG) -> list[list[tuple[Word, float]]]:
    """Tesseract's words (with confidence) in each image, one Tesseract run for all of them."""
    import pytesseract
    from PIL import Image

    if not images:
        return []
    with tempfile.TemporaryDirectory() as folder:
        tiff = os.path.join(folder, "cells.tif")
        pages = [Image.fromarray(image) for image in images]
        pages[0].save(tiff, save_all=True, append_images=pages[1:], compression="tiff_deflate")
        data = pytesseract.image_to_data(tiff, lang=OCR_LANGUAGE, config=config, output_type=pytesseract.Output.DICT)
    found: list[list[tuple[Word, float]]] = [[] for _ in images]
    for i, text in enumerate(data["text"]):
        confidence = float(data["conf"][i])
        if text.strip() and confidence >= 0:
            x, y, w, h = (data[k][i] for k in ("left", "top", "width", "height"))
            found[data["page_num"][i] - 1].append((Word(clean_text(text.strip()), x, x + w, y, y + h), confidence))
    return found


def _enlarged(gray: np.ndarray, box: tuple[int, int, int, int], px_per_mm: float) -> np.ndarray | None:
    """The box cut out and enlarged, with a white margin; None when it holds no ink."""
    import cv2

    left, top, right, bottom = box
    crop = gray[max(top, 0): bottom, max(left, 0): right]
    if crop.size == 0 or int((crop < 128).sum()) < _MIN_INK:
        return None
    scale = max(1.0, _READ_PX_PER_MM / px_per_mm)
    crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return cv2.copyMakeBorder(crop, 10, 10, 10, 10, cv2.BORDER_CONSTANT, value=255)


def _read_again(read: list[list[tuple[Word, float]]], crops: list[np.ndarray]) -> None:
    """Cells with ink where a block read found no word hold one short word (a lone «I»): read as one line."""
    empty = [i for i, words in enumerate(read[: len(crops)]) if not words]
    for i, words in zip(empty, _read_images([crops[i] for i in empty], OCR_LINE_CONFIG)):
        read[i] = words


def _bars(crop: np.ndarray) -> str | None:
    """«I», «II», «III» from the ink itself when every mark is an upright bar: Tesseract, with no
    word around them, reads such bars as «|», «l», «li» or nothing."""
    import cv2

    count, _, stats, _ = cv2.connectedComponentsWithStats((crop < 128).astype(np.uint8))
    marks = [s for s in stats[1:] if s[cv2.CC_STAT_AREA] > 4]
    upright = all(s[cv2.CC_STAT_HEIGHT] > 3 * s[cv2.CC_STAT_WIDTH] for s in marks)
    return "I" * len(marks) if marks and upright and len(marks) <= 3 else None


def _roman(text: str, crop: np.ndarray) -> str:
    """A section number Tesseract misread as bars or letters, or missed, read from its marks; an
    «l» or «|» inside a Roman numeral («Quý II, IIl/2022») is an «I»."""
    if _ROMAN_SLIP.fullmatch(text):
        return _bars(crop) or text
    return _ROMAN_WITH_SLIP.sub(lambda m: m.group().replace("l", "I").replace("|", "I"), text)


def _body_lines(words: list[tuple[Word, float]]) -> list[str]:
    return [" ".join(w.text for w in line) for line in reading_lines([w for w, _ in words])]


def _cells(grid: Any) -> list[tuple[int, int, int]]:
    """(row, first column, last column) of each cell, a horizontally merged cell once."""
    cells = []
    for r, merged in enumerate(grid.merged_left):
        c = 0
        while c < len(merged):
            last = c
            while last + 1 < len(merged) and merged[last + 1]:
                last += 1
            cells.append((r, c, last))
            c = last + 1
    return cells


def read_page(path: Path, index: int) -> OcrPage:
    """One scanned page: deskewed, its table cells and its body read."""
    from indexer.parsers.scan_grid import deskew, find_grid

    raw, px_per_mm = _render(path, index)
    gray = deskew(raw, px_per_mm)
    grid = find_grid(gray, px_per_mm)
    if grid is None:
        return OcrPage(lines=_body_lines(_read_images([gray])[0]), grid=[])
    gray = grid.without_lines(gray)
    cells = _cells(grid)
    crops = [_enlarged(gray, grid.box(r, first, last), px_per_mm) for r, first, last in cells]
    body = [gray[: max(grid.rows[0] - grid.thickness, 1)], gray[grid.rows[-1] + grid.thickness:]]
    read = _read_images([c for c in crops if c is not None] + [b for b in body if b.size and (b < 128).sum() >= _MIN_INK])
    _read_again(read, [c for c in crops if c is not None])
    per_crop = iter(read)
    table = [[OcrCell(merged_left=grid.merged_left[r][c], merged_up=grid.merged_up[r][c])
              for c in range(len(grid.columns) - 1)] for r in range(len(grid.rows) - 1)]
    for (r, first, last), crop in zip(cells, crops):
        if crop is None:
            continue
        words = next(per_crop)
        text = _roman(cell_text([w for w, _ in words], 0, crop.shape[1]), crop)
        if text:
            confidence = float(np.mean([c for _, c in words])) if words else 0.0
            table[r][first] = table[r][first].model_copy(update={"text": text, "confidence": confidence})
    lines = [line for words in per_crop for line in _body_lines(words)]
    return OcrPage(lines=lines, grid=_fold_merged_up(table))


def _fold_merged_up(table: list[list[OcrCell]]) -> list[list[OcrCell]]:
    """Text printed lower down a vertically merged cell belongs to its top cell."""
    for r in range(1, len(table)):
        for c, cell in enumerate(table[r]):
            if cell.merged_up and cell.text:
                top = next(i for i in range(r, -1, -1) if i == 0 or not table[i][c].merged_up)
                head = table[top][c]
                confidence = min(x for x in (head.confidence, cell.confidence) if x is not None)
                table[top][c] = head.model_copy(update={"text": f"{head.text} {cell.text}".strip(), "confidence": confidence})
                table[r][c] = cell.model_copy(update={"text": "", "confidence": None})
    return table


def _limit_threads() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"  # one page per core: Tesseract's own threads only contend


def _cache_file(options: OcrOptions, digest: str, index: int) -> Path | None:
    return options.cache_dir / digest / f"{_VERSION}-{index}.json" if options.cache_dir else None


def read_pages(path: Path, indexes: list[int], options: OcrOptions) -> dict[int, OcrPage]:
    """The scanned pages `indexes` of the PDF, from the cache or read in parallel."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    report = options.progress or (lambda done, total: None)
    pages: dict[int, OcrPage] = {}
    for index in indexes:
        cached = _cache_file(options, digest, index)
        if cached is not None and cached.exists():
            pages[index] = OcrPage.model_validate_json(cached.read_text(encoding="utf-8"))
            report(len(pages), len(indexes))
    missing = [i for i in indexes if i not in pages]
    workers = min(options.workers or os.cpu_count() or 1, len(missing))
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers, initializer=_limit_threads) as pool:
            for index, page in zip(missing, pool.map(read_page, [path] * len(missing), missing)):
                pages[index] = page
                report(len(pages), len(indexes))
    else:
        # Read here, one page at a time: Tesseract's own OpenMP threads are still slower than one
        # (several times so on a busy machine); an operator's own setting wins.
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        for index in missing:
            pages[index] = read_page(path, index)
            report(len(pages), len(indexes))
    for index in missing:
        cached = _cache_file(options, digest, index)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_text(pages[index].model_dump_json(), encoding="utf-8")
    return pages
