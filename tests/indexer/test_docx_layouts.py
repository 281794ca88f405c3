"""Word plans as provinces type them: common headings, another column order, merged cells, a
two-line header, one table per section, a table nested in a layout table. Each parses to the
same rows as the seed it was typed from."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from service.wiring import agency_table
from indexer.parsers import parse_document, read_document
from indexer.parsers.columns import RoleSource
from tests.indexer.seed_layouts import COMMON_HEADINGS, PrintedRow, SeedTable, chunks, converted_plan, printed_rows, same_rows, seed

SEEDS = ("hungyen2022", "khanhhoa2022")


def _fill(cell, text: str) -> None:
    lines = [line for line in text.split("\n") if line.strip()] or [""]
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def _write_table(container, rows: list[PrintedRow], roles: list[str], two_line_header: bool):
    header_rows = 2 if two_line_header else 1
    table = container.add_table(rows=header_rows + len(rows), cols=len(roles))
    for column, role in enumerate(roles):
        table.cell(0, column).text = COMMON_HEADINGS[role]
    if two_line_header:
        lead, coordinating = roles.index("lead"), roles.index("coordinating")
        table.cell(0, lead).merge(table.cell(0, coordinating)).text = "Cơ quan"
        table.cell(1, lead).text, table.cell(1, coordinating).text = "Chủ trì", "Phối hợp"
        for column in range(len(roles)):
            if column not in (lead, coordinating):
                keep = table.cell(0, column).text
                table.cell(0, column).merge(table.cell(1, column)).text = keep
    grid = [list(row.cells) for row in table.rows]  # table.cell() rebuilds the grid on every call
    top = {role: header_rows for role in roles}  # where the current vertical merge starts
    for offset, row in enumerate(rows):
        r = header_rows + offset
        if row.section:
            grid[r][0].text = row.cells["stt"]
            grid[r][1].merge(grid[r][len(roles) - 1]).text = row.cells["task"]
            continue
        for column, role in enumerate(roles):
            if role in row.merged_up:
                grid[top[role]][column].merge(grid[r][column])
                continue
            top[role] = r
            if row.cells.get(role):
                _fill(grid[r][column], row.cells[role])
    return table


def write_docx(table: SeedTable, path: Path, *, split: bool, two_line_header: bool, nested: bool) -> Path:
    document = docx.Document()
    document.add_paragraph("UBND TỈNH " + table.plan.province.upper())
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("I. MỤC ĐÍCH, YÊU CẦU")
    document.add_paragraph("Triển khai đồng bộ các nhiệm vụ cải cách hành chính.")
    rows = list(printed_rows(table))
    for group in (chunks(rows) if split else [rows]):
        container = document
        if nested:  # a one-cell layout table holding the real one, as some templates do
            container = document.add_table(rows=1, cols=1).cell(0, 0)
        _write_table(container, group, table.roles, two_line_header)
        document.add_paragraph("")
    document.add_paragraph("II. TỔ CHỨC THỰC HIỆN")
    document.add_paragraph("1. Sở Nội vụ theo dõi, đôn đốc, tổng hợp báo cáo.")
    document.save(str(path))
    return path


@pytest.mark.parametrize("plan_id", SEEDS)
@pytest.mark.parametrize(
    "variant",
    [
        {"split": False, "two_line_header": False, "nested": False},
        {"split": True, "two_line_header": False, "nested": False},
        {"split": True, "two_line_header": True, "nested": False},
        {"split": False, "two_line_header": True, "nested": True},
    ],
    ids=["one-table", "table-per-section", "two-line-header", "nested"],
)
def test_a_word_plan_parses_to_the_same_rows_as_its_seed(tmp_path, plan_id, variant):
    table = seed(plan_id)
    path = write_docx(table, tmp_path / f"{plan_id}.docx", **variant)
    plan = converted_plan(table, path, "docx")

    converted = parse_document(plan, path, agency_table())

    same_rows(table.parsed, converted)
    titles = [s.section for s in converted.sections]
    assert any("TỔ CHỨC THỰC HIỆN" in t.upper() for t in titles)  # prose after the tables, in order


def test_roles_say_why_they_were_chosen(tmp_path):
    table = seed("hungyen2022")
    path = write_docx(table, tmp_path / "hy.docx", split=False, two_line_header=True, nested=False)

    chosen = read_document(converted_plan(table, path, "docx"), path, agency_table()).tables[0].choices

    by_role = {c.role: c for c in chosen}
    assert by_role["lead"].heading == "Cơ quan Chủ trì" and by_role["lead"].source is RoleSource.HEADING
    assert by_role["coordinating"].heading == "Cơ quan Phối hợp"
    assert by_role["period"].heading == "Thời hạn hoàn thành"
