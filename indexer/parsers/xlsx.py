"""Excel appendices through openpyxl: every sheet, merged ranges, the header found as in Word."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from indexer.parsers.columns import Classify
from indexer.parsers.grid import GridCell, table_from_grid
from indexer.parsers.table import RawTable
from indexer.vntext import clean_text

# «'- Công văn»: the apostrophe a sheet writer puts before = + - @ so the cell is never a formula
# (service.preview_sheet, reports); it is an escape, not text.
_FORMULA_ESCAPE = re.compile(r"^'(?=[=+\-@\t\r])")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")  # a deadline typed as a date cell
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    lines = [line.strip() for line in clean_text(_FORMULA_ESCAPE.sub("", str(value))).split("\n") if line.strip()]
    # Lines inside a cell (Alt+Enter) are items, kept apart as in Word cells.
    return "".join(f"<p>{line}</p>" for line in lines) if len(lines) > 1 else "".join(lines)


def _grid(sheet: Any) -> list[list[GridCell]]:
    continuation: dict[tuple[int, int], tuple[bool, bool]] = {}
    heads: dict[tuple[int, int], tuple[int, int]] = {}
    for merged in sheet.merged_cells.ranges:
        for row in range(merged.min_row, merged.max_row + 1):
            for column in range(merged.min_col, merged.max_col + 1):
                if (row, column) != (merged.min_row, merged.min_col):
                    continuation[(row, column)] = (column > merged.min_col, row > merged.min_row)
                    heads[(row, column)] = (merged.min_row, merged.min_col)
    grid: list[list[GridCell]] = []
    for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row, max_col=sheet.max_column):
        cells = []
        for cell in row:
            left, up = continuation.get((cell.row, cell.column), (False, False))
            head = heads.get((cell.row, cell.column))
            value = sheet.cell(*head).value if head else cell.value  # merged cells repeat their text
            cells.append(GridCell(_text(value), merged_left=left, merged_up=up and not left))
        grid.append(cells)
    return grid


def read_xlsx(path: Path, override: list[str] | None, classify: Classify) -> tuple[list[str], list[RawTable]]:
    """Lines outside the task tables (titles, notes) and the task table of every sheet that has one."""
    import openpyxl

    workbook = openpyxl.load_workbook(str(path), read_only=False, data_only=True)
    lines: list[str] = []
    tables: list[RawTable] = []
    next_line = 1
    try:
        for sheet in workbook.worksheets:
            grid = _grid(sheet)
            table = table_from_grid(grid, classify, override, first_line=next_line)
            before = grid if table is None else grid[: table.header_line - next_line]
            lines += [" ".join(c.text for c in row if c.text and not c.merged_left) for row in before]
            if table is not None:
                tables.append(table)
            next_line += len(grid) + 1
    finally:
        workbook.close()
    return lines, tables


def xlsx_text_lines(path: Path) -> list[str]:
    """The text of every row, sheet by sheet, for the header block and title."""
    import openpyxl

    workbook = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    try:
        return [" ".join(_text(v) for v in row if v is not None)
                for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
