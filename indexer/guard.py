"""Checks made on an untrusted plan file before any parser opens it.

A few kilobytes can ask a parser for gigabytes: a zip part declared at 4 GB, a sheet whose one cell
sits at XFD1048576 or whose merged range covers the whole sheet (openpyxl makes an object per
covered cell), a PDF page of 200×200 inches rendered for OCR, a PDF stream inflating to 1 GB, or
2,000 blank pages to OCR. Each is found here from what the file declares, read by streaming and
never through the parsers, and refused with one Vietnamese line naming the setting that limits it.
What these checks cannot see is bounded by the parsing worker (indexer.sandbox).
"""

from __future__ import annotations

import mmap
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from pydantic import BaseModel

from cchc.errors import FileLimitError
from cchc.settings import Settings
from indexer.parsers.ocr import OCR_RESOLUTION

MB = 1_000_000
_RATIO_FLOOR = MB  # parts smaller than this may compress as well as they like: they cannot hurt
_INFLATE_STEP = 1 << 20
_POINTS_PER_INCH = 72


class FileLimits(BaseModel):
    """The limits of Settings that the checks use, carried to the parsing worker."""

    max_zip_members: int
    max_unzipped_mb: float
    max_compression_ratio: float
    max_sheet_cells: int
    max_pdf_pages: int
    max_ocr_pixels: int
    max_pdf_stream_mb: float
    ocr_dpi: int = OCR_RESOLUTION

    @classmethod
    def from_settings(cls, settings: Settings) -> FileLimits:
        return cls(**{name: getattr(settings, name) for name in cls.model_fields if name != "ocr_dpi"})


class Refusal(BaseModel):
    setting: str  # the environment variable that raises the limit, e.g. CCHC_MAX_PDF_PAGES
    message: str  # one Vietnamese line


class Verdict(BaseModel):
    refusal: Refusal | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None


class _Refused(Exception):
    def __init__(self, refusal: Refusal):
        super().__init__(refusal.message)
        self.refusal = refusal


def _number(value: float) -> str:
    """12345678 -> «12.345.678», as Vietnamese writes it."""
    return f"{round(value):,}".replace(",", ".")


def _refuse(field: str, said: str, limit: str) -> _Refused:
    setting = f"CCHC_{field.upper()}"
    return _Refused(Refusal(setting=setting, message=f"{said}, vượt giới hạn {limit} ({setting})."))


# -- zip containers (.docx, .xlsx) ---------------------------------------------------------------
_END_OF_DIRECTORY = b"PK\x05\x06"


def _declared_members(path: Path) -> int | None:
    """Entries the zip's end record declares, read before zipfile builds one object per entry."""
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 66_000))  # the end record and its comment (at most 65,535 bytes)
        tail = handle.read()
    at = tail.rfind(_END_OF_DIRECTORY)
    if at < 0 or len(tail) < at + 12:
        return None
    (count,) = struct.unpack("<H", tail[at + 10: at + 12])
    return None if count == 0xFFFF else count  # 0xFFFF: the count is in the zip64 record


def _check_zip(path: Path, limits: FileLimits) -> None:
    declared = _declared_members(path)
    if declared is not None and declared > limits.max_zip_members:
        raise _refuse("max_zip_members", f"Tệp nén chứa {_number(declared)} thành phần", _number(limits.max_zip_members))
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip at all: the parser names the broken file
    with archive:
        parts = archive.infolist()
        if len(parts) > limits.max_zip_members:
            raise _refuse("max_zip_members", f"Tệp nén chứa {_number(len(parts))} thành phần", _number(limits.max_zip_members))
        total = sum(part.file_size for part in parts)
        if total > limits.max_unzipped_mb * MB:
            raise _refuse("max_unzipped_mb", f"Tệp giải nén ra {_number(total / MB)} MB", f"{_number(limits.max_unzipped_mb)} MB")
        for part in parts:
            ratio = part.file_size / max(part.compress_size, 1)
            if part.file_size > _RATIO_FLOOR and ratio > limits.max_compression_ratio:
                raise _refuse("max_compression_ratio", f"Một thành phần của tệp nén nở ra {_number(ratio)} lần",
                              f"{_number(limits.max_compression_ratio)} lần")


# -- spreadsheets ---------------------------------------------------------------------------------
_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def _cell(reference: str) -> tuple[int, int] | None:
    """«XFD1048576» -> (1048576, 16384): row and column numbers."""
    match = _CELL.match(reference.strip())
    if not match:
        return None
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - ord("A") + 1
    return int(match.group(2)), column


def _column_name(column: int) -> str:
    name = ""
    while column:
        column, rest = divmod(column - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def _corners(reference: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
    first, _, last = reference.partition(":")
    start, end = _cell(first), _cell(last or first)
    return (start, end) if start and end else None


class _SheetExtent:
    """Where a sheet reaches (openpyxl walks rows 1..max × columns 1..max) and what its merges cover."""

    def __init__(self, limits: FileLimits):
        self.limit = limits.max_sheet_cells
        self.rows = self.columns = self.merged = 0

    def reach(self, row: int, column: int) -> None:
        self.rows, self.columns = max(self.rows, row), max(self.columns, column)
        if self.rows * self.columns > self.limit:
            corner = f"{_column_name(self.columns)}{self.rows}"
            raise _refuse("max_sheet_cells", f"Một trang tính trải tới ô {corner} ({_number(self.rows * self.columns)} ô)",
                          f"{_number(self.limit)} ô")

    def merge(self, reference: str) -> None:
        corners = _corners(reference)
        if corners is None:
            return
        (top, left), (bottom, right) = corners
        self.merged += (abs(bottom - top) + 1) * (abs(right - left) + 1)
        if self.merged > self.limit:
            raise _refuse("max_sheet_cells", f"Các vùng gộp ô của một trang tính phủ {_number(self.merged)} ô",
                          f"{_number(self.limit)} ô")
        self.reach(max(top, bottom), max(left, right))


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _on_dimension(extent: _SheetExtent, attributes: dict[str, str]) -> None:
    corners = _corners(attributes.get("ref", ""))
    if corners:
        extent.reach(*corners[1])


def _on_row(extent: _SheetExtent, attributes: dict[str, str]) -> None:
    if attributes.get("r", "").isdigit():
        extent.reach(int(attributes["r"]), 1)


def _on_cell(extent: _SheetExtent, attributes: dict[str, str]) -> None:
    where = _cell(attributes.get("r", ""))
    if where:
        extent.reach(*where)


def _on_merge(extent: _SheetExtent, attributes: dict[str, str]) -> None:
    extent.merge(attributes.get("ref", ""))


_SHEET_ELEMENTS: dict[str, Callable[[_SheetExtent, dict[str, str]], None]] = {
    "dimension": _on_dimension, "row": _on_row, "c": _on_cell, "mergeCell": _on_merge,
}
_EMPTIED = {"row", "mergeCell", "col"}  # dropped once read, so a long sheet is read in constant memory


def _check_sheet(stream: IO[bytes], limits: FileLimits) -> None:
    from defusedxml.ElementTree import iterparse  # DTDs and entities refused: no billion laughs

    extent = _SheetExtent(limits)
    parents = []
    for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
        name = _local(element.tag)
        if event == "start":
            parents.append(element)
            handler = _SHEET_ELEMENTS.get(name)
            if handler:
                handler(extent, element.attrib)
            continue
        parents.pop()
        if name in _EMPTIED and parents:
            parents[-1].clear()


def _check_xlsx(path: Path, limits: FileLimits) -> None:
    _check_zip(path, limits)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with archive:
        for part in archive.infolist():
            if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml"):
                with archive.open(part) as stream:  # never more than the size checked above
                    try:
                        _check_sheet(stream, limits)
                    except _Refused:
                        raise
                    except Exception:  # malformed XML, a refused DTD: openpyxl will name the broken file
                        return


# -- PDF ------------------------------------------------------------------------------------------
_STREAM = re.compile(rb"(?<!end)stream\r?\n")


def _inflated_size(data: mmap.mmap, start: int, budget: int) -> int:
    """How much the zlib stream at `start` inflates to, counted up to `budget` + 1; 0 if not zlib."""
    inflater = zlib.decompressobj()
    produced, position = 0, start
    try:
        while not inflater.eof and produced <= budget and position < len(data):
            chunk = data[position: position + _INFLATE_STEP]
            position += len(chunk)
            produced += len(inflater.decompress(chunk, _INFLATE_STEP))
            while inflater.unconsumed_tail and not inflater.eof and produced <= budget:
                produced += len(inflater.decompress(inflater.unconsumed_tail, _INFLATE_STEP))
    except zlib.error:
        return 0  # not Flate data (JPEG, encrypted, or "stream" inside other bytes)
    return produced


def _stream_starts(data: mmap.mmap) -> Iterator[int]:
    for match in _STREAM.finditer(data):
        yield match.end()


def _check_pdf_streams(path: Path, limits: FileLimits) -> None:
    """Every Flate stream, inflated in steps and counted, without keeping it: found from the bytes,
    not the cross-reference table, so object streams and broken files are counted too."""
    budget = int(limits.max_pdf_stream_mb * MB)
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        for start in _stream_starts(data):
            if _inflated_size(data, start, budget) > budget:
                raise _refuse("max_pdf_stream_mb", f"Một luồng nén trong tệp PDF giải nén ra hơn {_number(limits.max_pdf_stream_mb)} MB",
                              f"{_number(limits.max_pdf_stream_mb)} MB")


def _check_pdf_pages(path: Path, limits: FileLimits) -> None:
    """Page count and page sizes from the page tree, no page loaded (loading parses its content)."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(str(path))
    except Exception:  # encrypted or broken: the parser says which
        return
    try:
        pages = len(document)
        if pages > limits.max_pdf_pages:
            raise _refuse("max_pdf_pages", f"Tệp có {_number(pages)} trang", f"{_number(limits.max_pdf_pages)} trang")
        for index in range(pages):
            width, height = (abs(side) / _POINTS_PER_INCH for side in document.get_page_size(index))
            pixels = width * limits.ocr_dpi * height * limits.ocr_dpi
            if pixels > limits.max_ocr_pixels:
                raise _refuse("max_ocr_pixels", f"Trang {index + 1} khổ {width:.0f}×{height:.0f} inch, đọc bằng OCR cần "
                              f"{_number(pixels / MB)} triệu điểm ảnh", f"{_number(limits.max_ocr_pixels / MB)} triệu")
    finally:
        document.close()


def _check_pdf(path: Path, limits: FileLimits) -> None:
    if path.stat().st_size:
        _check_pdf_streams(path, limits)  # first: opening the document may inflate object streams
    _check_pdf_pages(path, limits)


_CHECKS: dict[str, Callable[[Path, FileLimits], None]] = {
    ".docx": _check_zip,
    ".xlsx": _check_xlsx,
    ".xlsm": _check_xlsx,
    ".pdf": _check_pdf,
}


def inspect(path: Path, limits: FileLimits) -> Verdict:
    """Whether `path` stays within `limits`, judged from what it declares; text files always do
    (they are read line by line, and their size is the upload's)."""
    check = _CHECKS.get(path.suffix.lower())
    if check is None:
        return Verdict()
    try:
        check(path, limits)
    except _Refused as refused:
        return Verdict(refusal=refused.refusal)
    return Verdict()


def ensure_within_limits(path: Path, limits: FileLimits) -> None:
    """Raise FileLimitError with the refusal's one line when `path` exceeds a limit."""
    verdict = inspect(path, limits)
    if verdict.refusal is not None:
        raise FileLimitError(verdict.refusal.message)
