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
)

# Folded column headings (leading "1- " numbering removed) -> role.
_HEADING_ROLES: dict[str, str] = {
    "tt": "stt",
    "stt": "stt",
    "so tt": "stt",
    "nhiem vu chung": "section",
    "muc tieu/chi tieu": "target",
    "muc tieu": "target",
    "nhiem vu": "task",
    "nhiem vu cu the": "task",
    "hoat dong": "activity",
    "san pham": "product",
    "ket qua/san pham": "product",
    "ket qua/ san pham": "product",
    "ket qua, san pham": "product",
    "co quan chu tri": "lead",
    "chu tri": "lead",
    "co quan phoi hop": "coordinating",
    "phoi hop": "coordinating",
    "thoi gian thuc hien": "period",
    "thoi gian hoan thanh": "period",
    "thoi gian": "period",
    "tien do": "period",
    "kinh phi": "budget",
    "kinh phi du kien": "budget",
    "kinh phi (trieu dong)": "budget",
}


def heading_key(cell: str) -> str:
    """Folded heading without its printed column number ("5- Chủ trì" -> "chu tri")."""
    return re.sub(r"^\d+\s*-\s*", "", fold(strip_html(cell))).strip(" .:")


def heading_role(cell: str) -> str | None:
    return _HEADING_ROLES.get(heading_key(cell))


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


@dataclass
class RawTable:
    headings: list[str]
    roles: list[str]
    header_line: int
    rows: list[RawRow] = field(default_factory=list)
    end_line: int = 0

    @property
    def width(self) -> int:
        return len(self.roles)

    def role_index(self, role: str) -> int | None:
        return self.roles.index(role) if role in self.roles else None

    def is_repeated_header(self, cells: list[str]) -> bool:
        keys = [heading_key(cell) for cell in cells if strip_html(cell)]
        return bool(keys) and keys == [heading_key(h) for h in self.headings if strip_html(h)]
