"""Tables written one cell per line: a cell starts with a tab, its text may run on for several
lines (including blank ones), and rows are separated by blank lines (Hà Tĩnh's appendix)."""

from __future__ import annotations

import re

from indexer.parsers.table import RawRow, RawTable, heading_role, looks_like_header
from indexer.vntext import strip_html

_SECTION_MARK = re.compile(r"^(?:[IVXLC]+|[A-H])\.?$")


def _is_section_row(cells: list[str]) -> bool:
    return len(cells) == 2 and bool(_SECTION_MARK.match(strip_html(cells[0]))) and bool(cells[1].strip())


class _Builder:
    def __init__(self) -> None:
        self.rows: list[tuple[list[str], int, int]] = []
        self.cells: list[str] = []
        self.first = 0
        self.last = 0
        self.blank_since_cell = False

    def close(self) -> None:
        if self.cells:
            self.rows.append(([c.strip() for c in self.cells], self.first, self.last))
        self.cells = []
        self.blank_since_cell = False


def _group_cells(lines: list[str], start: int, width_hint: int | None) -> list[tuple[list[str], int, int]]:
    builder = _Builder()
    width = width_hint
    for index in range(start, len(lines)):
        line = lines[index]
        number = index + 1
        if not line.strip() and not line.startswith("\t"):
            if builder.cells:
                builder.blank_since_cell = True
                if _is_section_row(builder.cells):
                    builder.close()
            continue
        if line.startswith("\t"):
            full = width is not None and len(builder.cells) >= width
            if full and builder.blank_since_cell:
                builder.close()
            if not builder.cells:
                builder.first = number
            builder.cells.append(line[1:])
            builder.blank_since_cell = False
            if width is None and looks_like_header(builder.cells):
                width = len(builder.cells)
        elif builder.cells:
            builder.cells[-1] += "\n" + line
        else:
            # Text outside any cell ends the table.
            break
        builder.last = number
    builder.close()
    return builder.rows


def find_cell_lines_header(lines: list[str]) -> int | None:
    """Index of the line holding the first header cell."""
    for index, line in enumerate(lines):
        if line.startswith("\t") and heading_role(line[1:]) == "stt":
            return index
    return None


def read_cell_lines_table(lines: list[str], header_index: int, roles: list[str] | None) -> RawTable:
    groups = _group_cells(lines, header_index, width_hint=None)
    if not groups:
        return RawTable(headings=[], roles=[], header_line=header_index + 1)
    headings, _, header_last = groups[0]
    # The header row has no blank line before the first data row, so cut it at its width.
    width = len(headings)
    table = RawTable(
        headings=headings,
        roles=roles or [heading_role(h) or f"unknown:{h}" for h in headings],
        header_line=header_index + 1,
        end_line=len(lines),
    )
    for cells, first, last in _group_cells(lines, header_last, width_hint=width):
        table.rows.append(RawRow(cells=cells, lines=(first, last)))
    return table
