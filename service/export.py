"""An answer's rows as a file officials can report from: Excel (.xlsx, openpyxl) or CSV.

One row per cited record in the answer's order (STT matches the numbers the channels show), the
group it was listed under, a real date cell for the due date, the source as «plan › section ›
row», and a title row naming the resolved question. No internal ids are written, and no cell can
become a formula: text is always written as text, and text starting with a character a
spreadsheet would read as a formula gets a leading apostrophe (OWASP's rule for CSV injection).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from enum import Enum

from pydantic import BaseModel, Field

from assistant.contract import Answer, GroupBlock, Item, Query
from indexer.records import PeriodKind, PlanDocument, ProseSection, RowRecord
from indexer.vntext import fold


class ExportFormat(str, Enum):
    XLSX = "xlsx"
    CSV = "csv"


COLUMNS = ("STT", "Nhóm / vai trò", "Nhiệm vụ", "Hoạt động", "Sản phẩm", "Chủ trì", "Phối hợp", "Thời hạn",
           "Hạn hoàn thành", "Loại thời hạn", "Kinh phí", "Nguồn")
_WIDTHS = (6, 26, 60, 50, 34, 28, 34, 20, 14, 16, 20, 40)
DUE_COLUMN = COLUMNS.index("Hạn hoàn thành")
KIND_LABELS = {
    PeriodKind.DATED: "Có thời hạn", PeriodKind.WHOLE_YEAR: "Cả năm", PeriodKind.RECURRING: "Thường xuyên",
    PeriodKind.PER_GUIDANCE: "Theo hướng dẫn", PeriodKind.WHEN_ARISES: "Khi phát sinh", PeriodKind.UNKNOWN: "Không rõ",
}
OVERDUE_LABEL = "Đã qua hạn"
_MEDIA = {
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.CSV: "text/csv; charset=utf-8",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DEFAULT_NAME = "nhiem-vu-cchc"
MAX_NAME = 120


def safe_text(value: str) -> str:
    """Text a spreadsheet shows as typed, never evaluates (OWASP: prefix «'» to = + - @ tab CR)."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def slug(text: str) -> str:
    """"Sở Nội vụ — quý IV/2022" -> "so-noi-vu-quy-iv-2022" (file names people can read)."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


class ExportScope(BaseModel):
    """The resolved question a file answers: its title row and its file name."""

    question: str = ""
    agency_id: str = Field("", description="to tell lead from coordination when no groups are given")
    agency: str = ""
    province: str = ""
    period: str = Field("", description='e.g. "quý IV/2022"')
    asked: dt.date | None = None

    @classmethod
    def of(cls, query: Query, question: str | None = None) -> ExportScope:
        return cls(question=question if question is not None else query.question,
                   agency_id=query.agency.id if query.agency else "", agency=query.agency.name if query.agency else "",
                   province=", ".join(query.provinces), period=query.period.label if query.period else "",
                   asked=query.today)

    def title(self) -> str:
        """«Nhiệm vụ của Sở Nội vụ — Hà Tĩnh, quý IV/2022 (hỏi ngày 01/11/2022)»."""
        who = " — ".join(part for part in (self.agency, self.province) if part)
        title = f"Nhiệm vụ của {who}" if who else "Nhiệm vụ cải cách hành chính"
        if self.period:
            title += f", {self.period}"
        if self.asked:
            title += f" (hỏi ngày {self.asked:%d/%m/%Y})"
        return title

    def filename(self, fmt: ExportFormat) -> str:
        parts = [slug(part) for part in (self.agency, self.province, self.period)]
        name = "-".join(["nhiem-vu", *filter(None, parts)]) if any(parts) else DEFAULT_NAME
        return f"{name[:MAX_NAME].rstrip('-')}.{fmt.value}"


class ExportGroup(BaseModel):
    """A group of the answer (its title, its record ids), which fills the «Nhóm / vai trò» column."""

    title: str = Field(max_length=300)
    ids: list[str] = Field(default_factory=list, max_length=1000)


def answer_groups(answer: Answer) -> list[ExportGroup]:
    return [ExportGroup(title=block.title, ids=[item.id for item in block.items])
            for block in answer.blocks if isinstance(block, GroupBlock)]


@dataclass(frozen=True)
class ExportFile:
    filename: str
    media_type: str
    content: bytes


def _role(record: RowRecord | ProseSection, agency_id: str) -> str:
    if not agency_id or isinstance(record, ProseSection):
        return ""
    if any(ref.id == agency_id for ref in record.lead):
        return "Chủ trì"
    return "Phối hợp" if any(ref.id == agency_id for ref in record.coordinating) else ""


def _kind(item: Item, asked: dt.date | None) -> str:
    if not item.deadline_kind:
        return ""
    kind = PeriodKind(item.deadline_kind)
    if kind is PeriodKind.DATED and asked and item.deadline_end and item.deadline_end < asked:
        return OVERDUE_LABEL
    return KIND_LABELS[kind]


def _values(records: list[RowRecord | ProseSection], plans: dict[str, PlanDocument], groups: list[ExportGroup],
            scope: ExportScope) -> list[list[object]]:
    group_of = {record_id: group.title for group in groups for record_id in group.ids}
    rows: list[list[object]] = []
    for number, record in enumerate(records, start=1):
        item = Item.of(record, plans.get(record.document))
        source = " › ".join(part for part in (item.plan, item.section, item.row) if part)
        texts = [group_of.get(record.id) or _role(record, scope.agency_id), item.task, item.activity, item.product,
                 item.lead, item.coordinating, item.deadline]
        tail = [_kind(item, scope.asked), item.budget, source]
        rows.append([number, *map(safe_text, texts), item.deadline_end, *map(safe_text, tail)])
    return rows


def _title_lines(scope: ExportScope) -> list[str]:
    lines = [scope.title()] + ([f"Câu hỏi: {scope.question}"] if scope.question else [])
    return [safe_text(" ".join(line.split())) for line in lines]  # one line each, however the question was typed


def _xlsx(rows: list[list[object]], scope: ExportScope) -> bytes:
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Nhiệm vụ"
    for line in _title_lines(scope):
        sheet.append([line])
    header = sheet.max_row + 1
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    for cell in sheet[1] + sheet[header]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows():
        for index, cell in enumerate(row):
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text, whatever it starts with
            elif index == DUE_COLUMN and cell.value is not None:
                cell.number_format = "DD/MM/YYYY"
            if cell.row > header:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    last = get_column_letter(len(COLUMNS))
    sheet.freeze_panes = sheet.cell(header + 1, 1)
    sheet.auto_filter.ref = f"A{header}:{last}{max(header, sheet.max_row)}"
    sheet.print_title_rows = f"{header}:{header}"  # the header on every printed page
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(rows: list[list[object]], scope: ExportScope) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([line] for line in _title_lines(scope))
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([value.isoformat() if isinstance(value, dt.date) else value for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8 as such


_WRITERS = {ExportFormat.XLSX: _xlsx, ExportFormat.CSV: _csv}


def export_items(records: list[RowRecord | ProseSection], plans: dict[str, PlanDocument], fmt: ExportFormat,
                 scope: ExportScope | None = None, groups: list[ExportGroup] | None = None) -> ExportFile:
    scope = scope or ExportScope()
    content = _WRITERS[fmt](_values(records, plans, groups or [], scope), scope)
    return ExportFile(filename=scope.filename(fmt), media_type=_MEDIA[fmt], content=content)
