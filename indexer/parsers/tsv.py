"""Tab-separated tables (one row per line, HTML fragments inside cells)."""

from __future__ import annotations

from indexer.parsers.table import (
    RawRow,
    RawTable,
    heading_role,
    is_column_number_row,
    looks_like_header,
)


def find_tsv_header(lines: list[str]) -> int | None:
    """Index of the first line that is a task-table header, if any."""
    for index, line in enumerate(lines):
        if "\t" in line and looks_like_header(line.split("\t")):
            return index
    return None


def read_tsv_table(lines: list[str], header_index: int, roles: list[str] | None) -> RawTable:
    """Rows from the header to the end of the table; page headers and column numbers are skipped."""
    headings = [cell.strip() for cell in lines[header_index].split("\t")]
    table = RawTable(
        headings=headings,
        roles=roles or [heading_role(h) or f"unknown:{h}" for h in headings],
        header_line=header_index + 1,
    )
    after_break = False
    table.end_line = len(lines)
    for index in range(header_index + 1, len(lines)):
        line = lines[index]
        if not line.strip():
            after_break = True
            continue
        if "\t" not in line:
            # Prose after the table ends it.
            table.end_line = index
            break
        cells = [cell.strip() for cell in line.split("\t")]
        if table.is_repeated_header(cells) or is_column_number_row(cells):
            after_break = True
            continue
        table.rows.append(RawRow(cells=cells, lines=(index + 1, index + 1), after_break=after_break))
        after_break = False
    return table
