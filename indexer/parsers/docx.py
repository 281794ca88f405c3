"""Word plans: the task table read through python-docx, merged cells included."""

from __future__ import annotations

from pathlib import Path

from indexer.parsers.table import RawRow, RawTable, heading_role, is_column_number_row, looks_like_header
from indexer.vntext import clean_text


def _cell_text(cell) -> str:  # noqa: ANN001 - python-docx _Cell
    # Keep paragraphs apart the way the text layouts do, so list items stay items.
    paragraphs = [clean_text(p.text).strip() for p in cell.paragraphs if clean_text(p.text).strip()]
    return "".join(f"<p>{text}</p>" for text in paragraphs) if len(paragraphs) > 1 else "".join(paragraphs)


def read_docx(path: Path, roles: list[str] | None) -> tuple[list[str], RawTable | None, range]:
    """Body paragraphs (as lines) and the first task table; merged cells are blanked after their
    first grid position so the assembler sees them as merged, exactly like the text layouts."""
    import docx  # python-docx; imported here so that indexing text plans does not pay for it

    document = docx.Document(str(path))
    lines = [clean_text(paragraph.text) for paragraph in document.paragraphs]
    for table in document.tables:
        grid = [row.cells for row in table.rows]
        header_row = next((i for i, cells in enumerate(grid) if looks_like_header([_cell_text(c) for c in cells])), None)
        if header_row is None:
            continue
        headings = [_cell_text(c) for c in grid[header_row]]
        raw = RawTable(
            headings=headings,
            roles=roles or [heading_role(h) or f"unknown:{h}" for h in headings],
            header_line=len(lines) + 1,
        )
        previous = grid[header_row]
        for number, cells in enumerate(grid[header_row + 1 :], start=header_row + 2):
            texts: list[str] = []
            for column, cell in enumerate(cells):
                merged_down = column < len(previous) and previous[column]._tc is cell._tc
                merged_across = column > 0 and cells[column - 1]._tc is cell._tc
                texts.append("" if merged_down or merged_across else _cell_text(cell))
            previous = cells
            if raw.is_repeated_header(texts) or is_column_number_row(texts):
                continue
            # Table rows have no source lines; number them after the body paragraphs.
            line = len(lines) + number
            raw.rows.append(RawRow(cells=texts, lines=(line, line)))
        raw.end_line = len(lines) + len(grid) + 1
        return lines, raw, range(len(lines), len(lines))
    return lines, None, range(0)
