"""Seed plans re-typed the way provinces publish them: Word, Excel or PDF, with other headings,
another column order, merged cells, several tables, page breaks. A converted plan must parse to
the same rows as the original layout."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from service.wiring import agency_table
from indexer.manifest import load_manifest
from indexer.parsers import parse_document, read_document
from indexer.records import ParsedDocument, PlanDocument, RowRecord
from indexer.vntext import squash, strip_html

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"

# The most common headings of Vietnamese plans, none of them printed in the seeds.
COMMON_HEADINGS = {
    "stt": "STT",
    "task": "Nội dung công việc",
    "activity": "Hoạt động cụ thể",
    "product": "Kết quả dự kiến",
    "lead": "Đơn vị chủ trì",
    "coordinating": "Đơn vị phối hợp",
    "period": "Thời hạn hoàn thành",
    "budget": "Dự toán kinh phí",
    "target": "Mục tiêu",
}
# Another column order than the seeds': deadline before the agencies, result last.
REORDERED = ("stt", "task", "activity", "period", "lead", "coordinating", "product", "budget", "target")


@dataclass
class SeedTable:
    plan: PlanDocument
    parsed: ParsedDocument
    roles: list[str]  # the seed's columns that are printed again, in the new order
    headings_by_role: dict[str, str]  # the seed's own heading of each role

    def cells(self, row: RowRecord) -> dict[str, str]:
        """The row's values as assembled (a cell split over a page break is whole again)."""
        by_heading = {cell.heading: cell.text for cell in row.cells}
        values = {"stt": by_heading.get(self.headings_by_role.get("stt", ""), ""), "task": row.task,
                  "activity": row.activity, "product": row.product, "lead": row.lead_text,
                  "coordinating": row.coordinating_text, "period": row.period.text, "target": row.target,
                  "budget": row.budget.text if row.budget else ""}
        return {role: ("" if role in row.inherited else values.get(role, "")) for role in self.headings_by_role}


def seed(plan_id: str) -> SeedTable:
    plan = next(p for p in load_manifest(CORPUS)[0] if p.id == plan_id)
    parsed = parse_document(plan, CORPUS / plan.file, agency_table())
    table = read_document(plan, CORPUS / plan.file, agency_table()).tables[0]
    headings = {role: squash(strip_html(h)) for h, role in zip(table.headings, table.roles)}
    roles = [role for role in REORDERED if role in headings]
    return SeedTable(plan, parsed, roles, headings)


@dataclass
class PrintedRow:
    """One row of the re-typed table: a section heading, or a task row."""

    cells: dict[str, str]
    section: bool = False
    merged_up: frozenset[str] = frozenset()  # roles whose cell continues the one above


def printed_rows(table: SeedTable) -> Iterator[PrintedRow]:
    """The seed's rows as a province would print them again: section rows where the section
    changes, merged cells where the seed inherited a value from above."""
    shown: list[str] = []
    for row in table.parsed.rows:
        parts = row.section.split(" › ") if row.section else []
        for depth, part in enumerate(parts):
            if depth < len(shown) and shown[depth] == part:
                continue
            code, _, title = part.partition(". ")
            yield PrintedRow({"stt": code, "task": title or part}, section=True)
        shown = parts
        cells = table.cells(row)
        merged = frozenset(role for role in row.inherited if role in table.roles and not cells.get(role))
        yield PrintedRow(cells, merged_up=merged)


def same_rows(original: ParsedDocument, converted: ParsedDocument) -> None:
    """Same count, and per row the same lead, deadline and task (text compared without layout)."""
    assert len(converted.rows) == len(original.rows), (len(converted.rows), len(original.rows))
    for before, after in zip(original.rows, converted.rows):
        assert squash(after.lead_text) == squash(before.lead_text), (before.label, after.lead_text)
        assert after.period.text == before.period.text, (before.label, after.period.text)
        assert squash(after.task) == squash(before.task), (before.label, after.task[:80])


def converted_plan(table: SeedTable, path: Path, layout: str) -> PlanDocument:
    return table.plan.model_copy(update={"file": path.name, "layout": layout, "columns": None})


def chunks(rows: Sequence[PrintedRow]) -> list[list[PrintedRow]]:
    """One table per section, the way appendices often split their tables."""
    groups: list[list[PrintedRow]] = []
    previous_was_section = False
    for row in rows:
        if not groups or (row.section and not previous_was_section):
            groups.append([])
        groups[-1].append(row)
        previous_was_section = row.section
    return groups
