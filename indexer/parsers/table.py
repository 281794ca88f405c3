"""Raw tables as read from a document, before rows are assembled into records.

Each layout reader (tsv, cell_lines, docx) produces a RawTable; the assembler turns it into
RowRecords the same way for every layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.vntext import fold, strip_html

ROLES = (
    "section",
    "stt",
    "target",
    "task",
    "activity",
    "product",
    "lead",
    "coordinating",
    "period",
    "budget",
    "note",  # "Ghi chú": kept in the row's cells and text, no field of its own
)

# What a heading means, from words in it, not from an exact list: plans word their columns in
# dozens of ways ("Đơn vị chủ trì", "Cơ quan chủ trì thực hiện", "Chủ trì"…). Rules are tried in
# order and the first whose keyword appears in the folded heading wins, so the more specific
# meaning comes first ("phối hợp thực hiện" is coordinating before "thực hiện" is lead;
# "thời gian hoàn thành" is a deadline before "hoàn thành" could be a result). A bare "Cơ quan" or
# "Đơn vị" says too little: its cells decide (parsers.columns).
_NUMBER_HEADINGS = {"tt", "stt", "so tt", "so thu tu", "thu tu", "s.tt", "s tt"}
_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("coordinating", ("phoi hop",)),
    ("lead", ("chu tri", "don vi thuc hien", "co quan thuc hien", "trach nhiem thuc hien")),
    ("period", ("thoi gian", "thoi han", "tien do", "moc thoi gian", "thoi diem")),
    ("budget", ("kinh phi", "du toan", "nguon von", "ngan sach")),
    ("product", ("san pham", "ket qua", "hinh thuc van ban", "hinh thuc")),
    ("period", ("hoan thanh",)),
    ("target", ("muc tieu", "chi tieu")),
    ("section", ("nhiem vu chung", "linh vuc", "nhom nhiem vu")),
    ("activity", ("hoat dong",)),
    ("task", ("noi dung", "nhiem vu", "giai phap", "cong viec", "de an", "ten viec")),
    ("note", ("ghi chu",)),
)


def heading_key(cell: str) -> str:
    """Folded heading without its printed column number or brackets ("5- Chủ trì" -> "chu tri")."""
    text = re.sub(r"^\(?\d+\)?\s*[-.)]?\s*", "", fold(strip_html(cell)))
    return re.sub(r"\s+", " ", text).strip(" .:*")


def heading_role(cell: str) -> str | None:
    """The role a heading names, or None if its words say nothing we know."""
    key = heading_key(cell)
    if key in _NUMBER_HEADINGS:
        return "stt"
    words = f" {re.sub(r'[^a-z0-9]+', ' ', key)} "
    for role, keywords in _RULES:
        if any(f" {keyword} " in words for keyword in keywords):
            return role
    return None


def looks_like_header(cells: list[str]) -> bool:
    """A header row names at least a lead or period column and two other known columns."""
    roles = [heading_role(cell) for cell in cells]
    known = [role for role in roles if role]
    return len(known) >= 3 and ("lead" in known or "period" in known)


def is_column_number_row(cells: list[str]) -> bool:
    """Rows such as "1 2 3 4 5 6" that number the columns under a header."""
    values = [strip_html(cell) for cell in cells if strip_html(cell)]
    return len(values) >= 3 and all(value.isdigit() for value in values) and values == sorted(
        values, key=int
    )


@dataclass
class RawRow:
    cells: list[str]
    lines: tuple[int, int]
    after_break: bool = False  # first row after a page break (repeated header or blank lines)
    confidence: list[float | None] | None = None  # OCR confidence per cell (0-100), scans only
    page: int | None = None  # PDF page (1-based) the row is printed on


@dataclass
class RawTable:
    headings: list[str]
    roles: list[str]
    header_line: int
    rows: list[RawRow] = field(default_factory=list)
    end_line: int = 0
    choices: list = field(default_factory=list)  # columns.ColumnChoice per column, when a grid reader chose
    low_confidence: float = 0.0  # OCR confidence under which a cell is flagged (scans)

    @property
    def width(self) -> int:
        return len(self.roles)

    def role_index(self, role: str) -> int | None:
        return self.roles.index(role) if role in self.roles else None

    def is_repeated_header(self, cells: list[str]) -> bool:
        keys = [heading_key(cell) for cell in cells if strip_html(cell)]
        return bool(keys) and keys == [heading_key(h) for h in self.headings if strip_html(h)]
