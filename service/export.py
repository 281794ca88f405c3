"""Cited rows as a file officials can file and filter: Excel (.xlsx, openpyxl) or CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from enum import Enum

from assistant.contract import Item
from indexer.records import PlanDocument, ProseSection, RowRecord


class ExportFormat(str, Enum):
    XLSX = "xlsx"
    CSV = "csv"


COLUMNS = (
    ("task", "Nhiệm vụ"), ("activity", "Hoạt động"), ("lead", "Chủ trì"), ("coordinating", "Phối hợp"),
    ("deadline", "Thời hạn"), ("product", "Sản phẩm"), ("budget", "Kinh phí"), ("plan", "Kế hoạch"),
    ("section", "Mục"), ("row", "Dòng"), ("id", "Mã dòng"),
)
_MEDIA = {
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.CSV: "text/csv; charset=utf-8",
}


@dataclass(frozen=True)
class ExportFile:
    filename: str
    media_type: str
    content: bytes


def _values(records: list[RowRecord | ProseSection], plans: dict[str, PlanDocument]) -> list[list[str]]:
    rows = []
    for record in records:
        item = Item.of(record, plans.get(record.document)).model_dump()
        rows.append([str(item[key] or "") for key, _ in COLUMNS])
    return rows


def _xlsx(rows: list[list[str]], title: str) -> bytes:
    import openpyxl
    from openpyxl.styles import Alignment, Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Nhiệm vụ"
    start = 1
    if title:
        sheet.append([title])
        sheet.cell(1, 1).font = Font(bold=True)
        start = 2
    sheet.append([name for _, name in COLUMNS])
    for cell in sheet[start]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    widths = {"A": 60, "B": 50, "C": 28, "D": 28, "E": 18, "F": 30, "G": 18, "H": 26, "I": 30, "J": 8, "K": 22}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=start + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(start + 1, 1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([name for _, name in COLUMNS])
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8 as such


def export_items(records: list[RowRecord | ProseSection], plans: dict[str, PlanDocument], fmt: ExportFormat,
                 title: str = "") -> ExportFile:
    rows = _values(records, plans)
    content = _xlsx(rows, title) if fmt is ExportFormat.XLSX else _csv(rows)
    return ExportFile(filename=f"nhiem-vu-cchc.{fmt.value}", media_type=_MEDIA[fmt], content=content)
