"""Word plans through python-docx: the body in reading order, and every task table in it.

Paragraphs and tables are read in the order they appear, so the prose sections (and "Tổ chức
thực hiện") are cut exactly as from a text plan. Every table is offered to grid.table_from_grid;
appendices often hold one task table per section, and tables nested inside cells are tables too.
Merged cells (horizontal and vertical) arrive as continuations; list paragraphs inside a cell stay
separate items.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from indexer.parsers.columns import Classify
from indexer.parsers.grid import GridCell, table_from_grid
from indexer.parsers.table import RawTable
from indexer.vntext import clean_text

_LIST_PREFIX = "- "


def _paragraph_text(paragraph: Any) -> str:
    text = clean_text(paragraph.text).strip()
    properties = paragraph._p.pPr
    # Word's automatic numbering and bullets are not in the text; mark the item so it stays one.
    if text and properties is not None and properties.numPr is not None and not text.startswith(("-", "+", "•")):
        return _LIST_PREFIX + text
    return text


def _cell_text(cell: Any) -> str:
    paragraphs = [text for text in (_paragraph_text(p) for p in cell.paragraphs) if text]
    # Several paragraphs become <p> items, the way the text layouts keep list items apart.
    return "".join(f"<p>{text}</p>" for text in paragraphs) if len(paragraphs) > 1 else "".join(paragraphs)


def _grid(table: Any) -> list[list[GridCell]]:
    rows: list[list[GridCell]] = []
    previous: Sequence[Any] = ()
    for row in table.rows:
        cells = row.cells  # python-docx repeats a merged cell at every grid position it covers
        grid_row = []
        for column, cell in enumerate(cells):
            left = column > 0 and cells[column - 1]._tc is cell._tc
            up = column < len(previous) and previous[column]._tc is cell._tc
            grid_row.append(GridCell(_cell_text(cell), merged_left=left, merged_up=up))
        rows.append(grid_row)
        previous = cells
    return rows


def _tables_within(table: Any) -> Iterator[Any]:
    """The table, then every table nested in its cells (each merged cell visited once)."""
    yield table
    seen: set[int] = set()
    for row in table.rows:
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            for inner in cell.tables:
                yield from _tables_within(inner)


def read_docx(path: Path, override: list[str] | None, classify: Classify) -> tuple[list[str], list[RawTable]]:
    """Body paragraphs as lines (reading order, tables left out) and the task tables found."""
    import docx  # python-docx; imported here so that indexing text plans does not pay for it
    from docx.table import Table

    document = docx.Document(str(path))
    lines: list[str] = []
    grids: list[list[list[GridCell]]] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            grids.extend(_grid(table) for table in _tables_within(block))
        else:
            lines.append(clean_text(block.text))
    tables = []
    next_line = len(lines) + 1  # table rows have no source lines: they are numbered after the body
    for grid in grids:
        table = table_from_grid(grid, classify, override, first_line=next_line)
        next_line += len(grid) + 1
        if table is not None:
            tables.append(table)
    return lines, tables


def docx_text_lines(path: Path) -> list[str]:
    """Every paragraph, table cells included, in reading order: headers often sit in a borderless
    two-column table ("UBND TỈNH …" beside "CỘNG HÒA …")."""
    import docx
    from docx.table import Table

    lines: list[str] = []
    for block in docx.Document(str(path)).iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row.cells:
                    lines += [clean_text(p.text).strip() for p in cell.paragraphs]
        else:
            lines.append(clean_text(block.text).strip())
    return lines
