"""documents -> records: read a plan in its layout, assemble its rows, cut its prose."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cchc.errors import DocumentError
from indexer.parsers.assemble import assemble
from indexer.parsers.cell_lines import find_cell_lines_header, read_cell_lines_table
from indexer.parsers.columns import Classify, cell_classifier, choose_roles
from indexer.parsers.docx import docx_text_lines, read_docx
from indexer.parsers.legacy import MISSING, as_docx, converter
from indexer.parsers.metadata import DocumentMetadata, read_metadata
from indexer.parsers.ocr import OcrOptions
from indexer.parsers.pdf import pdf_text_lines, read_pdf
from indexer.parsers.xlsx import read_xlsx, xlsx_text_lines
from indexer.parsers.prose import parse_prose
from indexer.parsers.table import ROLES, RawTable
from indexer.parsers.tsv import find_tsv_header, read_tsv_table
from indexer.records import Layout, ParsedDocument, PlanDocument
from indexer.vntext import clean_text

if TYPE_CHECKING:
    from indexer.agencies import AgencyTable


def _parsing_code_digest() -> str:
    """Changes whenever the code that turns documents into records changes, so indexes rebuild
    themselves instead of someone having to remember to bump a number."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted([*root.joinpath("parsers").glob("*.py"), *(root / n for n in ("periods.py", "budget.py", "records.py", "vntext.py", "agencies.py"))]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


PARSER_VERSION = _parsing_code_digest()


def read_text(path: Path, document: str) -> list[str]:
    """The document's lines, cleaned (NFC, no NUL or zero-width characters); empty or non-UTF-8 files are refused by name and line."""
    data = path.read_bytes()
    if not data.strip():
        raise DocumentError(document, f"tệp {path.name} rỗng")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DocumentError(document, f"tệp {path.name} không phải văn bản UTF-8", line=line) from exc
    # \r first: clean_text would turn a lone one into a space.
    return clean_text(text.replace("\r\n", "\n").replace("\r", "\n")).split("\n")


@dataclass
class _Read:
    """What a layout reader hands on: the body lines, the task tables, and lines the prose cutter skips."""

    lines: list[str]
    tables: list[RawTable]
    skip: range = range(0)


Reader = Callable[[PlanDocument, Path, Classify, OcrOptions], _Read]


def _read_tsv(plan: PlanDocument, path: Path, classify: Classify, ocr: OcrOptions) -> _Read:
    lines = read_text(path, plan.file)
    header = find_tsv_header(lines)
    if header is None:
        raise DocumentError(plan.file, "không tìm thấy dòng tiêu đề của bảng nhiệm vụ (các cột phân tách bằng tab)")
    table = read_tsv_table(lines, header, plan.columns)
    return _Read(lines, [table], range(table.header_line - 1, table.end_line))


def _read_cell_lines(plan: PlanDocument, path: Path, classify: Classify, ocr: OcrOptions) -> _Read:
    lines = read_text(path, plan.file)
    header = find_cell_lines_header(lines)
    if header is None:
        raise DocumentError(plan.file, "không tìm thấy tiêu đề bảng dạng mỗi ô một dòng (ô đầu «TT»)")
    table = read_cell_lines_table(lines, header, plan.columns)
    return _Read(lines, [table], range(table.header_line - 1, table.end_line))


def _read_prose(plan: PlanDocument, path: Path, classify: Classify, ocr: OcrOptions) -> _Read:
    return _Read(read_text(path, plan.file), [])


def _read_docx(plan: PlanDocument, path: Path, classify: Classify, ocr: OcrOptions) -> _Read:
    if path.suffix.lower() == ".doc":
        with tempfile.TemporaryDirectory() as folder:
            return _read_docx(plan, as_docx(path, plan.file, Path(folder)), classify, ocr)
    _office_guard(path, plan.file, "doc")
    try:
        lines, tables = read_docx(path, plan.columns, classify)
    except Exception as exc:  # python-docx raises several types for broken files
        raise DocumentError(plan.file, f"không đọc được tệp Word {path.name}: {exc}. "
                            "Hãy mở tệp bằng Word và lưu lại dạng .docx (không đặt mật khẩu)") from exc
    return _Read(lines, tables)


_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # encrypted Office files, and the old .doc/.xls formats


def _office_guard(path: Path, document: str, kind: str) -> None:
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(_OLE_SIGNATURE):
        raise DocumentError(document, f"tệp {path.name} có mật khẩu hoặc ở định dạng {kind} cũ; hãy mở bằng Office, "
                            f"bỏ mật khẩu và lưu lại dạng .{kind}x")


def _read_xlsx(plan: PlanDocument, path: Path, classify: Classify, ocr: OcrOptions) -> _Read:
    _office_guard(path, plan.file, "xls")
    try:
        lines, tables = read_xlsx(path, plan.columns, classify)
    except Exception as exc:  # openpyxl raises several types for broken files
        raise DocumentError(plan.file, f"không đọc được tệp Excel {path.name}: {exc}. "
                            "Hãy mở bằng Excel và lưu lại dạng .xlsx") from exc
    return _Read(lines, tables)


def _read_pdf(plan: PlanDocument, path: Path, classify: Classify, ocr: OcrOptions) -> _Read:
    try:
        lines, tables = read_pdf(path, plan.columns, classify, ocr)
    except DocumentError:
        raise
    except Exception as exc:  # pdfminer raises several types (encrypted, damaged)
        hint = "tệp có mật khẩu" if "password" in str(exc).lower() or "encrypt" in type(exc).__name__.lower() else str(exc)
        raise DocumentError(plan.file, f"không đọc được tệp PDF {path.name}: {hint}. Hãy dùng bản PDF không đặt mật khẩu") from exc
    return _Read(lines, tables)


_READERS: dict[Layout, Reader] = {
    Layout.TSV: _read_tsv,
    Layout.CELL_LINES: _read_cell_lines,
    Layout.PROSE: _read_prose,
    Layout.DOCX: _read_docx,
    Layout.XLSX: _read_xlsx,
    Layout.PDF: _read_pdf,
}
_HAS_TABLE = {Layout.TSV, Layout.CELL_LINES, Layout.DOCX, Layout.XLSX, Layout.PDF}


def _choose_roles(plan: PlanDocument, table: RawTable, classify: Classify) -> None:
    """Roles for a table whose reader left them to us (the text layouts)."""
    if plan.columns is not None and len(plan.columns) != len(table.headings):
        raise DocumentError(
            plan.file,
            f"danh mục khai báo {len(plan.columns)} cột nhưng bảng có {len(table.headings)} cột",
            line=table.header_line,
        )
    if not table.choices:
        table.choices = choose_roles(table.headings, [row.cells for row in table.rows], classify, plan.columns)
        table.roles = [choice.role for choice in table.choices]
    for heading, role in zip(table.headings, table.roles):
        if role not in ROLES:
            raise DocumentError(plan.file, f"vai trò «{role}» khai báo cho cột «{heading}» không có; "
                                f"chọn trong: {', '.join(ROLES)}", line=table.header_line)
    if "task" not in table.roles and "activity" not in table.roles:
        raise DocumentError(plan.file, "bảng không có cột nhiệm vụ", line=table.header_line)


_SUFFIX_LAYOUTS = {".docx": Layout.DOCX, ".xlsx": Layout.XLSX, ".xlsm": Layout.XLSX, ".pdf": Layout.PDF}
_TEXT_SUFFIXES = {".txt", ".md", ".tsv"}
SUPPORTED = ", ".join(sorted({*_SUFFIX_LAYOUTS, *_TEXT_SUFFIXES}))


def infer_layout(path: Path) -> Layout:
    """The layout a file's type and, for text files, its table's shape say it has."""
    suffix = path.suffix.lower()
    if suffix == ".doc":  # read through LibreOffice, where it is installed (parsers.legacy)
        if converter() is None:
            raise DocumentError(path.name, MISSING)
        return Layout.DOCX
    if suffix in _SUFFIX_LAYOUTS:
        return _SUFFIX_LAYOUTS[suffix]
    if suffix not in _TEXT_SUFFIXES:
        raise DocumentError(path.name, f"không đọc được loại tệp «{suffix or 'không có đuôi'}»; "
                            f"hãy dùng một trong: {SUPPORTED} (tệp .xls cũ: mở bằng Excel và lưu lại dạng .xlsx)")
    lines = read_text(path, path.name)
    if find_tsv_header(lines) is not None:
        return Layout.TSV
    if find_cell_lines_header(lines) is not None:
        return Layout.CELL_LINES
    return Layout.PROSE


_TEXT_LINES: dict[Layout, Callable[[Path, OcrOptions], list[str]]] = {
    Layout.DOCX: lambda path, ocr: _docx_lines(path),
    Layout.XLSX: lambda path, ocr: xlsx_text_lines(path),
    Layout.PDF: pdf_text_lines,
}


def _docx_lines(path: Path) -> list[str]:
    if path.suffix.lower() != ".doc":
        return docx_text_lines(path)
    with tempfile.TemporaryDirectory() as folder:
        return docx_text_lines(as_docx(path, path.name, Path(folder)))


def read_metadata_of(path: Path, layout: Layout, ocr: OcrOptions | None = None) -> DocumentMetadata:
    """What the document's header block and signature say (see parsers.metadata)."""
    reader = _TEXT_LINES.get(layout)
    try:
        lines = reader(path, ocr or OcrOptions()) if reader else read_text(path, path.name)
    except DocumentError:
        raise
    except Exception as exc:  # a broken file: its own reader will name the problem when parsing
        raise DocumentError(path.name, f"không đọc được phần đầu văn bản: {exc}") from exc
    return read_metadata(lines)


def read_document(plan: PlanDocument, path: Path, agencies: AgencyTable, ocr: OcrOptions | None = None) -> _Read:
    """The document's lines and task tables, roles chosen; DocumentError when it has none.

    `ocr` says how scanned PDFs are read (cache folder, processes); the defaults cache nothing."""
    if not path.exists():
        raise DocumentError(plan.file, f"không tìm thấy tệp {path.name} trong thư mục corpus")
    classify = cell_classifier(agencies, plan.year)
    read = _READERS[plan.layout](plan, path, classify, ocr or OcrOptions())
    if plan.layout in _HAS_TABLE and not read.tables:
        raise DocumentError(plan.file, f"không tìm thấy bảng nhiệm vụ nào trong {path.name} (cần các cột như "
                            "«Nội dung», «Đơn vị chủ trì», «Thời gian hoàn thành»); nếu tiêu đề bảng khác thường, "
                            "khai báo `columns` trong manifest")
    for table in read.tables:
        _choose_roles(plan, table, classify)
    return read


def parse_document(plan: PlanDocument, path: Path, agencies: AgencyTable, ocr: OcrOptions | None = None) -> ParsedDocument:
    """Parse one plan; raises DocumentError naming the file and line when it cannot."""
    return assemble_document(plan, read_document(plan, path, agencies, ocr), agencies)


def assemble_document(plan: PlanDocument, read: _Read, agencies: AgencyTable) -> ParsedDocument:
    """Rows from a document's tables and sections from its text, once read."""
    rows, issues = [], []
    seen: set[str] = set()
    for table in read.tables:
        table_rows, table_issues = assemble(plan, table, agencies)
        for row in table_rows:
            if row.id in seen:  # the same row printed in two tables: keep both, apart
                row.id = f"{row.id}{len(seen):x}"
            seen.add(row.id)
        rows.extend(table_rows)
        issues.extend(table_issues)
    sections = parse_prose(plan, read.lines, skip=read.skip)
    return ParsedDocument(plan=plan, rows=rows, sections=sections, issues=issues)
