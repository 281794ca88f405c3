"""Hostile plan files, built small: each is a few bytes to a few megabytes on disk and asks a
naive parser for gigabytes of memory or minutes of CPU (issue 21's table).

Huge compressed members are written without compressing gigabytes: after a full flush, deflating
the next megabyte of zeros gives the same bytes every time, so that block is simply repeated.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable

from docx import Document

MIB = 1 << 20
_ZEROS = bytes(MIB)

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
_ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Kế hoạch" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""
_SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}<sheetData>{rows}</sheetData>{merges}</worksheet>"""


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def xlsx(rows: str, dimension: str = "", merges: str = "") -> bytes:
    """A minimal workbook of one sheet that openpyxl opens."""
    sheet = _SHEET.format(dimension=f'<dimension ref="{dimension}"/>' if dimension else "", rows=rows, merges=merges)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _ROOT_RELS), ("xl/workbook.xml", _WORKBOOK),
                           ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS), ("xl/worksheets/sheet1.xml", sheet)):
            archive.writestr(name, text)
    return buffer.getvalue()


def far_cell_xlsx() -> bytes:
    """One cell at XFD1048576, the sheet's last: a parser walking the used range visits 17 billion."""
    rows = f'<row r="1">{_inline("A1", "TT")}</row><row r="1048576">{_inline("XFD1048576", "x")}</row>'
    return xlsx(rows, dimension="A1:XFD1048576")


def whole_sheet_merge_xlsx() -> bytes:
    """One merged range over the whole sheet: openpyxl makes an object for every covered cell."""
    return xlsx(f'<row r="1">{_inline("A1", "Kế hoạch")}</row>', dimension="A1",
                merges='<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>')


class _RepeatedZeros:
    """A deflate compressor for a member made only of 1 MiB chunks of zeros: the block a full
    flush gives for one chunk, repeated (zipfile calls compress() once per chunk written)."""

    def __init__(self) -> None:
        self._deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
        self._first = self._deflate.compress(_ZEROS) + self._deflate.flush(zlib.Z_FULL_FLUSH)
        self._block = self._deflate.compress(_ZEROS) + self._deflate.flush(zlib.Z_FULL_FLUSH)
        self._started = False

    def compress(self, data: bytes) -> bytes:
        assert data == _ZEROS
        block = self._block if self._started else self._first
        self._started = True
        return block

    def flush(self) -> bytes:
        return self._deflate.flush()  # an empty final block: the stream ends there


def huge_part_docx(gigabytes: int = 4) -> bytes:
    """A Word plan with a related part of `gigabytes` GiB of zeros (about 1 MB per GiB on disk):
    python-docx reads every part into memory."""
    plain = io.BytesIO()
    Document().save(plain)
    buffer = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdHuge" Target="media/huge.bin" Type='
                                    b'"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"/></Relationships>')
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"<Default ", b'<Default Extension="bin" ContentType="image/png"/><Default ', 1)
            archive.writestr(item, data)
        huge = zipfile.ZipInfo("word/media/huge.bin")
        huge.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(huge, "w", force_zip64=True) as member:
            member._compressor = _RepeatedZeros()  # type: ignore[attr-defined]
            for _ in range(gigabytes * 1024):
                member.write(_ZEROS)
    return buffer.getvalue()


def pdf(objects: list[bytes]) -> bytes:
    """A PDF of these objects (numbered from 1; object 1 is the catalog) with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _pages(sizes: list[tuple[int, int]], contents: list[bytes] | None = None) -> bytes:
    """Catalog (1), page tree (2), then the pages (3…) and their content streams after them."""
    count = len(sizes)
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(count))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count)]
    for i, (width, height) in enumerate(sizes):
        content = b" /Contents %d 0 R" % (3 + count + i) if contents else b""
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d]%s >>" % (width, height, content))
    objects += contents or []
    return pdf(objects)


def huge_page_pdf() -> bytes:
    """One blank 200×200-inch page: no text layer, so it is rendered for OCR (60,000² pixels at 300 dpi)."""
    return _pages([(200 * 72, 200 * 72)])


def blank_pages_pdf(count: int = 2000) -> bytes:
    """`count` blank A4 pages: each one OCRed, minutes of CPU."""
    return _pages([(595, 842)] * count)


def inflating_pdf(mebibytes: int = 1024) -> bytes:
    """One page whose Flate content stream inflates to `mebibytes` MiB of zeros (about 1 MB on disk)."""
    deflate = zlib.compressobj(9)
    first = deflate.compress(_ZEROS) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(_ZEROS) + deflate.flush(zlib.Z_FULL_FLUSH)
    end = deflate.flush()[:-4]  # the empty final block; the checksum is the whole stream's:
    adler = ((mebibytes * MIB) % 65521) << 16 | 1  # Adler-32 of n zero bytes
    data = first + block * (mebibytes - 1) + end + adler.to_bytes(4, "big")
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(data), data)
    return _pages([(595, 842)], [stream])


HOSTILE: dict[str, Callable[[], bytes]] = {
    "far-cell.xlsx": far_cell_xlsx,
    "whole-sheet-merge.xlsx": whole_sheet_merge_xlsx,
    "huge-part.docx": huge_part_docx,
    "huge-page.pdf": huge_page_pdf,
    "inflating.pdf": inflating_pdf,
    "blank-pages.pdf": blank_pages_pdf,
}

# The one line each is refused with, under the default settings.
REFUSALS = {
    "far-cell.xlsx": "Một trang tính trải tới ô XFD1048576 (17.179.869.184 ô), vượt giới hạn 500.000 ô (CCHC_MAX_SHEET_CELLS).",
    "whole-sheet-merge.xlsx": "Các vùng gộp ô của một trang tính phủ 17.179.869.184 ô, vượt giới hạn 500.000 ô (CCHC_MAX_SHEET_CELLS).",
    "huge-part.docx": "Tệp giải nén ra 4.296 MB, vượt giới hạn 300 MB (CCHC_MAX_UNZIPPED_MB).",
    "huge-page.pdf": "Trang 1 khổ 200×200 inch, đọc bằng OCR cần 3.600 triệu điểm ảnh, vượt giới hạn 40 triệu (CCHC_MAX_OCR_PIXELS).",
    "inflating.pdf": "Một luồng nén trong tệp PDF giải nén ra hơn 150 MB, vượt giới hạn 150 MB (CCHC_MAX_PDF_STREAM_MB).",
    "blank-pages.pdf": "Tệp có 2.000 trang, vượt giới hạn 300 trang (CCHC_MAX_PDF_PAGES).",
}
