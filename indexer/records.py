"""Typed records that cross module boundaries: plans, table rows, prose sections.

Original text is kept verbatim for citation; only derived fields are normalised.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum

from pydantic import BaseModel, Field


class Layout(str, Enum):
    """How a plan document lays out its task table."""

    TSV = "tsv"  # tab-separated rows, HTML fragments in cells
    CELL_LINES = "cell_lines"  # one cell per tab-prefixed line, rows split by blank lines
    DOCX = "docx"  # Word table(s)
    XLSX = "xlsx"  # Excel sheet(s)
    PDF = "pdf"  # PDF with a text layer, or scanned (OCR)
    PROSE = "prose"  # no task table, prose only


class PlanDocument(BaseModel):
    """One plan as described by the corpus manifest."""

    id: str = Field(pattern=r"^[a-z0-9]+$", description="short id, used in row ids")
    file: str = Field(description="the file served: what is parsed and indexed")
    original: str | None = Field(None, description="the file as published (a scan) when `file` is an operator's corrected .xlsx of it")
    province: str
    year: int
    title: str
    short_title: str = Field(description='how citations name the plan, e.g. "KH CCHC 2022 Hà Tĩnh"')
    doc_number: str | None = None
    doc_date: dt.date | None = None
    doc_date_text: str | None = None
    signer: str | None = None
    signer_title: str | None = None
    layout: Layout
    columns: list[str] | None = Field(None, description="column roles overriding the table's headings")
    amends: str | None = Field(None, description="id of the plan this one amends (sửa đổi, bổ sung)")
    replaces: str | None = Field(None, description="id of the plan this one replaces (thay thế)")
    amended_by: list[str] = Field(default_factory=list, description="ids of plans amending this one (set by the manifest)")
    replaced_by: str | None = Field(None, description="id of the plan replacing this one (set by the manifest)")

    @property
    def current(self) -> bool:
        """False once another plan replaces it: answers then come from the new one."""
        return self.replaced_by is None


class PeriodKind(str, Enum):
    DATED = "dated"  # a month, quarter, day or range
    WHOLE_YEAR = "whole_year"  # "Năm 2022", "Trong năm 2022"
    RECURRING = "recurring"  # "Thường xuyên", "Hàng năm", "Hàng quý"
    PER_GUIDANCE = "per_guidance"  # "Theo hướng dẫn của Bộ Nội vụ", "Theo kế hoạch ..."
    WHEN_ARISES = "when_arises"  # "Khi có quy định mới", "Khi phát sinh"
    UNKNOWN = "unknown"


class Period(BaseModel):
    """A deadline cell, original and normalised."""

    text: str
    kind: PeriodKind
    start: dt.date | None = None
    end: dt.date | None = None
    quarters: list[int] = Field(
        default_factory=list, description="quarters touched, as year*10+quarter (20224 = Q4/2022)"
    )
    continues_after: bool = Field(False, description='"... và những năm tiếp theo", "và thường xuyên"')
    understood: bool = True


class Budget(BaseModel):
    text: str
    million_vnd: float | None = None
    per_unit: bool = False  # "10 triệu đồng/đơn vị"


class AgencyRef(BaseModel):
    """An agency named in a lead or coordinating cell."""

    id: str  # canonical id from agencies.toml, or "unknown:<folded text>"
    name: str  # canonical Vietnamese name (or the raw text for unknown agencies)
    collective: bool = False  # "Các sở, ban, ngành", "UBND cấp huyện", ...
    known: bool = True


class Cell(BaseModel):
    """One table cell as printed, under the document's own column heading."""

    heading: str
    text: str


class RowRecord(BaseModel):
    """One task-table row, kept whole."""

    id: str
    document: str
    province: str
    year: int
    section: str = Field(description='section path, e.g. "IV. Cải cách công vụ › 6. Công tác thanh tra"')
    section_code: str = Field("", description='printed section numbers, e.g. "IV" or "VII.A"')
    row: str = Field("", description="row number as printed (STT, or the task/activity number)")
    label: str = Field(description='citation label, e.g. "KH CCHC 2022 Hà Tĩnh, III.4 › 3.9"')
    target: str = ""
    task: str = ""
    activity: str = ""
    product: str = ""
    lead_text: str = ""
    lead: list[AgencyRef] = Field(default_factory=list)
    coordinating_text: str = ""
    coordinating: list[AgencyRef] = Field(default_factory=list)
    period: Period
    budget: Budget | None = None
    cells: list[Cell] = Field(default_factory=list, description="the row's cells as printed")
    text: str = Field(description="full original text of the row, all its cells")
    lines: tuple[int, int] = Field(description="1-based source line range, inclusive")
    inherited: list[str] = Field(
        default_factory=list, description="fields filled from a merged cell above"
    )
    notes: list[str] = Field(default_factory=list, description="parse repairs applied to this row")
    page: int | None = Field(None, description="PDF page (1-based) the row starts on")
    # Scanned plans (OCR).
    cell_confidence: dict[str, float] | None = Field(None, description="OCR confidence (0-100) per cell heading")
    low_confidence_fields: list[str] = Field(
        default_factory=list, description="headings of cells read with a confidence under the threshold: check them"
    )

    @property
    def kind(self) -> str:
        return "row"


class ProseSection(BaseModel):
    """A numbered or headed part of a plan body (targets, assignments, deadlines, signer)."""

    id: str
    document: str
    province: str
    year: int
    section: str
    label: str
    heading: str
    text: str
    lines: tuple[int, int]

    @property
    def kind(self) -> str:
        return "prose"


class ParseIssue(BaseModel):
    """Something the parser could not understand; reported, never silently dropped."""

    document: str
    line: int
    message: str


class ParsedDocument(BaseModel):
    plan: PlanDocument
    rows: list[RowRecord]
    sections: list[ProseSection]
    issues: list[ParseIssue] = Field(default_factory=list)
