"""Tables that arrive as grids (Word, Excel, PDF) become RawTables the same way.

A reader gives a grid of GridCells (merged cells repeated, flagged as continuations). Here the
header is found (one or two lines: a merged "Cơ quan" above "Chủ trì | Phối hợp"), the columns'
roles are chosen (columns.choose_roles), repeated page headers and column-number rows are dropped,
and continuation cells are blanked so the assembler sees them as merged, as in the text layouts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from indexer.parsers.columns import Classify, ColumnChoice, choose_roles
from indexer.parsers.table import RawRow, RawTable, heading_role, is_column_number_row, looks_like_header
from indexer.vntext import strip_html

_HEADER_SCAN = 12  # rows looked at for a header: titles and notes may come first


@dataclass(frozen=True)
class GridCell:
    text: str
    merged_left: bool = False  # continues the cell to its left (horizontal merge)
    merged_up: bool = False  # continues the cell above (vertical merge)
    page_break_before: bool = False  # first row of a new page (PDF)
    confidence: float | None = None  # OCR's confidence in the text (0-100), scans only
    page: int | None = None  # PDF page (1-based)


GridRow = Sequence[GridCell]


def _texts(row: GridRow) -> list[str]:
    return [cell.text for cell in row]


def _second_header_line(top: GridRow, below: GridRow) -> bool:
    """Below a header with a merged group heading, a row of sub-headings ("Chủ trì | Phối hợp")."""
    named = [cell.text for cell in below if cell.text and not cell.merged_up]
    return bool(named) and any(cell.merged_left for cell in top) and all(heading_role(text) for text in named)


def _joined(top: GridRow, below: GridRow) -> list[str]:
    headings = []
    for upper, lower in zip(top, below):
        if lower.merged_up or not lower.text or lower.text == upper.text:
            headings.append(upper.text)
        else:
            headings.append(f"{upper.text} {lower.text}".strip())
    return headings


def find_header(grid: Sequence[GridRow]) -> tuple[int, int, list[str]] | None:
    """(first row, rows used, headings) of the task-table header, if the grid has one."""
    for index, row in enumerate(grid[:_HEADER_SCAN]):
        below = grid[index + 1] if index + 1 < len(grid) else None
        if below is not None and _second_header_line(row, below) and looks_like_header(_joined(row, below)):
            return index, 2, _joined(row, below)
        if looks_like_header(_texts(row)):
            return index, 1, _texts(row)
    return None


def _body_texts(row: GridRow) -> list[str]:
    # A merged cell's text stays in its first grid position only.
    return ["" if cell.merged_up or cell.merged_left else cell.text for cell in row]


def _repeats_header(table: RawTable, header_rows: list[list[str]], row: GridRow, page_top: bool) -> bool:
    """The header printed again at the top of a page, whole or one of its lines (or read by OCR
    with slips: at a page's top, a row whose cells name three columns is a header)."""
    texts = _texts(row)
    return table.is_repeated_header(texts) or any(texts == line for line in header_rows) or (page_top and looks_like_header(texts))


def table_from_grid(grid: Sequence[GridRow], classify: Classify, override: Sequence[str] | None,
                    first_line: int, allow_headless: bool = False) -> RawTable | None:
    """The task table held in `grid`, or None if it is not one (a signature block, a layout table).

    Rows get line numbers from `first_line` on, one per grid row (tables have no source lines).
    """
    header = find_header(grid)
    if header is None and not allow_headless:
        return None
    start, height, headings = header or (0, 0, [""] * max((len(r) for r in grid), default=0))
    body = [row for row in grid[start + height:]]
    choices: list[ColumnChoice] = choose_roles(headings, [_body_texts(r) for r in body], classify, override)
    roles = [choice.role for choice in choices]
    if "task" not in roles and "activity" not in roles or "lead" not in roles and "period" not in roles:
        return None
    table = RawTable(headings=list(headings), roles=roles, header_line=first_line + start, choices=choices)
    header_rows = [_texts(row) for row in grid[start:start + height]]
    after_break = False
    for offset, row in enumerate(body):
        texts = _body_texts(row)
        texts += [""] * (len(roles) - len(texts))
        # The page break belongs to the first row that is kept, not to the header repeated above it.
        after_break = after_break or any(cell.page_break_before for cell in row)
        if not any(strip_html(t) for t in texts) or _repeats_header(table, header_rows, row, after_break) or is_column_number_row(texts):
            continue
        line = first_line + start + height + offset
        confidence = [cell.confidence for cell in row][: len(roles)] if any(c.confidence is not None for c in row) else None
        table.rows.append(RawRow(cells=texts[: len(roles)], lines=(line, line), after_break=after_break, confidence=confidence,
                                 page=row[0].page if row else None))
        after_break = False
    table.end_line = first_line + len(grid)
    return table
