"""What a plan file gave, as an .xlsx the operator corrects in Excel and uploads back (issue 20).

One row per record under headings the parser reads back as the same columns (indexer.parsers.table:
«Mục (lĩnh vực)» is the section, then STT, task, activity, product, lead, coordinating, deadline,
budget), so the corrected sheet is indexed like any other Excel plan. Cells OCR read with low
confidence are filled yellow with their confidence in a comment. No cell can become a formula
(service.export.safe_text).
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill

from indexer.preview import Preview, PreviewRecord
from service.export import safe_text

# (heading the parser understands, PreviewRecord field, column width)
SHEET_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("Mục (lĩnh vực)", "section", 30),
    ("STT", "number", 8),
    ("Nhiệm vụ", "task", 50),
    ("Hoạt động", "activity", 40),
    ("Sản phẩm", "product", 30),
    ("Đơn vị chủ trì", "lead", 26),
    ("Đơn vị phối hợp", "coordinating", 30),
    ("Thời hạn", "period", 18),
    ("Kinh phí", "budget", 16),
)
FLAGGED_FILL = PatternFill(fill_type="solid", start_color="FFFF00", end_color="FFFF00")
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_TITLE = "Bảng nhiệm vụ"


def sheet_name(file: str) -> str:
    """The download's name: «hy-scan.pdf» -> «hy-scan.kiem-tra.xlsx»."""
    return f"{Path(file).stem}.kiem-tra.xlsx"


def _write_row(sheet, number: int, record: PreviewRecord) -> None:
    for column, (_, field, _) in enumerate(SHEET_COLUMNS, start=1):
        cell = sheet.cell(row=number, column=column)
        cell.value = safe_text(getattr(record, field))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if field in record.flagged:
            cell.fill = FLAGGED_FILL
            page = f", trang {record.page}" if record.page else ""
            cell.comment = Comment(f"OCR đọc chưa chắc (độ tin cậy {record.flagged[field]:.0f}%{page}): "
                                   "hãy đối chiếu với bản quét.", "Trợ lý CCHC")


def preview_xlsx(preview: Preview) -> bytes:
    """The preview's rows as an .xlsx: a header row, then one row per record."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    for column, (heading, _, width) in enumerate(SHEET_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=column, value=heading)
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = width
    for number, record in enumerate(preview.records, start=2):
        _write_row(sheet, number, record)
    sheet.freeze_panes = "A2"
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()
