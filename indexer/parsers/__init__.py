"""documents -> records: read a plan in its layout, assemble its rows, cut its prose."""

from __future__ import annotations

from typing import TYPE_CHECKING

import hashlib
from pathlib import Path

from cchc.errors import DocumentError
from indexer.parsers.assemble import assemble
from indexer.parsers.cell_lines import find_cell_lines_header, read_cell_lines_table
from indexer.parsers.docx import read_docx
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


def _check_roles(plan: PlanDocument, table: RawTable) -> None:
    if plan.columns is not None and len(plan.columns) != len(table.headings):
        raise DocumentError(
            plan.file,
            f"danh mục khai báo {len(plan.columns)} cột nhưng bảng có {len(table.headings)} cột",
            line=table.header_line,
        )
    for heading, role in zip(table.headings, table.roles):
        if role not in ROLES:
            raise DocumentError(
                plan.file,
                f"không nhận ra cột «{heading}» của bảng nhiệm vụ; khai báo `columns` cho kế hoạch này "
                "trong corpus/manifest.toml",
                line=table.header_line,
            )
    if "task" not in table.roles and "activity" not in table.roles:
        raise DocumentError(plan.file, "bảng không có cột nhiệm vụ", line=table.header_line)


def parse_document(plan: PlanDocument, path: Path, agencies: AgencyTable) -> ParsedDocument:
    """Parse one plan; raises DocumentError naming the file and line when it cannot."""
    if not path.exists():
        raise DocumentError(plan.file, f"không tìm thấy tệp {path.name} trong thư mục corpus")
    table: RawTable | None
    if plan.layout is Layout.DOCX:
        try:
            lines, table, table_lines = read_docx(path, plan.columns)
        except Exception as exc:  # python-docx raises several types for broken files
            raise DocumentError(plan.file, f"không đọc được tệp Word {path.name}: {exc}") from exc
        if table is None:
            raise DocumentError(plan.file, f"tệp Word {path.name} không có bảng nhiệm vụ")
    else:
        lines = read_text(path, plan.file)
        table, table_lines = None, range(0)
        if plan.layout is Layout.TSV:
            header = find_tsv_header(lines)
            if header is None:
                raise DocumentError(plan.file, "không tìm thấy dòng tiêu đề của bảng nhiệm vụ (các cột phân tách bằng tab)")
            table = read_tsv_table(lines, header, plan.columns)
        elif plan.layout is Layout.CELL_LINES:
            header = find_cell_lines_header(lines)
            if header is None:
                raise DocumentError(plan.file, "không tìm thấy tiêu đề bảng dạng mỗi ô một dòng (ô đầu «TT»)")
            table = read_cell_lines_table(lines, header, plan.columns)
        if table is not None:
            table_lines = range(table.header_line - 1, table.end_line)
    rows, issues = [], []
    if table is not None:
        _check_roles(plan, table)
        rows, issues = assemble(plan, table, agencies)
    sections = parse_prose(plan, lines, skip=table_lines)
    return ParsedDocument(plan=plan, rows=rows, sections=sections, issues=issues)
