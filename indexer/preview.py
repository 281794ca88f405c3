"""What indexing a file would give, without indexing it: for `cchc check FILE` and the admin
upload page. Nothing is written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, Field

from cchc.errors import DocumentError
from indexer.agencies import AgencyTable
from indexer.parsers import assemble_document, infer_layout, read_document, read_metadata_of
from indexer.parsers.metadata import DocumentMetadata
from indexer.parsers.ocr import OcrOptions
from indexer.records import Layout, PeriodKind, PlanDocument, RowRecord
from indexer.manifest import plan_id_for

FIRST_ROWS = 8


class ColumnPreview(BaseModel):
    heading: str
    role: str
    source: str = Field(description="tiêu đề / nội dung ô / khai báo trong manifest / không rõ")
    why: str


class RowPreview(BaseModel):
    label: str
    task: str
    lead: str
    period: str
    page: int | None = None  # PDF page the row starts on
    uncertain: dict[str, float] = Field(default_factory=dict, description="OCR: heading -> confidence of flagged cells")
    uncertain_fields: list[str] = Field(default_factory=list, description="which of task/lead/period is a flagged cell")


def _row_preview(row: RowRecord) -> RowPreview:
    confidence = row.cell_confidence or {}
    uncertain = {heading: confidence.get(heading, 0.0) for heading in row.low_confidence_fields}
    flagged_texts = {cell.text for cell in row.cells if cell.heading in uncertain}
    shown = {"task": row.task or row.activity, "lead": row.lead_text, "period": row.period.text}
    return RowPreview(**shown, label=row.label, page=row.page, uncertain=uncertain,
                      uncertain_fields=[name for name, text in shown.items() if text and text in flagged_texts])


class PreviewRecord(BaseModel):
    """One row as read, every field the parser understands (the admin page's table and the .xlsx
    an operator corrects), with the page it starts on and its flagged OCR cells."""

    page: int | None = None
    section: str = ""
    number: str = Field("", description="row number as printed")
    task: str = ""
    activity: str = ""
    product: str = ""
    lead: str = ""
    coordinating: str = ""
    period: str = ""
    budget: str = ""
    flagged: dict[str, float] = Field(default_factory=dict, description="OCR: field -> confidence of a cell read with low confidence")


def _record_preview(row: RowRecord) -> PreviewRecord:
    confidence = row.cell_confidence or {}
    flagged_cells = [(cell.text, confidence.get(cell.heading, 0.0)) for cell in row.cells if cell.heading in row.low_confidence_fields]
    fields = {"number": row.row, "task": row.task, "activity": row.activity, "product": row.product, "lead": row.lead_text,
              "coordinating": row.coordinating_text, "period": row.period.text, "budget": row.budget.text if row.budget else ""}
    # A field is the text of one cell; a flagged cell is found by its text (headings vary by plan).
    flagged = {name: score for name, text in fields.items() for cell, score in flagged_cells if text and text == cell}
    return PreviewRecord(page=row.page, section=row.section, flagged=flagged, **fields)


class Preview(BaseModel):
    file: str
    layout: Layout | None = None
    plan_id: str
    metadata: DocumentMetadata = Field(default_factory=DocumentMetadata)
    tables: list[list[ColumnPreview]] = Field(default_factory=list)
    rows: int = 0
    sections: int = 0
    first_rows: list[RowPreview] = Field(default_factory=list)
    records: list[PreviewRecord] = Field(default_factory=list, description="every row as read")
    periods_not_understood: list[str] = Field(default_factory=list)
    agencies_not_understood: list[str] = Field(default_factory=list)
    error: str | None = Field(None, description="Vietnamese: why this file cannot be indexed")
    missing: list[str] = Field(default_factory=list, description="manifest fields the document does not say")

    @property
    def ok(self) -> bool:
        return self.error is None and not self.missing


def _plan(path: Path, layout: Layout, found: DocumentMetadata) -> PlanDocument:
    year = found.year or dt.date.today().year
    province = found.province or "(chưa rõ tỉnh)"
    return PlanDocument(id=plan_id_for(path.name), file=path.name, province=province, year=year,
                        title=found.title or path.stem, short_title=f"KH CCHC {year} {province}", layout=layout)


def preview(path: Path, agencies: AgencyTable, ocr: OcrOptions | None = None) -> Preview:
    """Everything `cchc index` would read from `path`, or the one reason it cannot; scans are read
    with `ocr` (the operator's settings: workers, threshold, cache, progress)."""
    result = Preview(file=path.name, plan_id=plan_id_for(path.name))
    try:
        result.layout = infer_layout(path)
        # The header block's pages are read first, silently: counting them too would restart the count.
        quiet = ocr.model_copy(update={"progress": None}) if ocr else None
        result.metadata = read_metadata_of(path, result.layout, quiet)
        plan = _plan(path, result.layout, result.metadata)
        read = read_document(plan, path, agencies, ocr)
        parsed = assemble_document(plan, read, agencies)
    except DocumentError as exc:
        if isinstance(exc.__cause__, MemoryError):  # the reader's limit, not the document's fault (indexer.sandbox)
            raise exc.__cause__ from None
        result.error = str(exc)
        return result
    result.missing = [name for name in ("province", "year", "title") if getattr(result.metadata, name) is None]
    result.tables = [[ColumnPreview(heading=c.heading, role=c.role, source=c.source.value, why=c.why) for c in t.choices]
                     for t in read.tables]
    result.rows, result.sections = len(parsed.rows), len(parsed.sections)
    result.first_rows = [_row_preview(r) for r in parsed.rows[:FIRST_ROWS]]
    result.records = [_record_preview(r) for r in parsed.rows]
    result.periods_not_understood = sorted({r.period.text for r in parsed.rows if r.period.kind is PeriodKind.UNKNOWN and r.period.text})
    result.agencies_not_understood = [i.message for i in parsed.issues if "bảng cơ quan" in i.message]
    return result
