"""Which column is which: from what a heading says, else from what its cells hold.

A heading's words decide first (table.heading_role). A column whose heading says nothing we know,
or a table printed without headings, is judged by its cells: mostly agency names -> lead (the
first such column) or coordinating; mostly deadlines -> period; mostly amounts -> budget. The
manifest's `columns` overrides everything. Every choice carries its reason, for `cchc check`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from indexer.budget import parse_budget
from indexer.parsers.table import heading_role
from indexer.periods import parse_period
from indexer.records import PeriodKind
from indexer.vntext import strip_html

if TYPE_CHECKING:
    from indexer.agencies import AgencyTable

MOSTLY = 0.6  # share of a column's non-empty cells that must agree before its content decides
_SAMPLE = 40  # cells looked at per column


class RoleSource(str, Enum):
    HEADING = "tiêu đề"
    CONTENT = "nội dung ô"
    MANIFEST = "khai báo trong manifest"
    NONE = "không rõ"


class CellKind(str, Enum):
    AGENCY = "tên cơ quan"
    DEADLINE = "thời hạn"
    AMOUNT = "kinh phí"


@dataclass(frozen=True)
class ColumnChoice:
    heading: str
    role: str
    source: RoleSource
    why: str  # Vietnamese, shown by `cchc check`


Classify = Callable[[str], CellKind | None]


def cell_classifier(agencies: AgencyTable, year: int) -> Classify:
    """What a cell holds, judged the way the assembler will read it."""

    def classify(cell: str) -> CellKind | None:
        text = strip_html(cell)
        if not text or len(text) > 300:
            return None
        if parse_period(text, year).kind not in (PeriodKind.UNKNOWN, PeriodKind.PER_GUIDANCE):
            return CellKind.DEADLINE
        budget = parse_budget(text, column_in_millions=False)
        if budget is not None and budget.million_vnd is not None:
            return CellKind.AMOUNT
        if agencies.find_in_text(text) and len(text) < 200:
            return CellKind.AGENCY
        return None

    return classify


def _content_kind(cells: Sequence[str], classify: Classify) -> tuple[CellKind | None, str]:
    filled = [c for c in cells if strip_html(c)][:_SAMPLE]
    if len(filled) < 2:
        return None, "quá ít ô có nội dung"
    counts: dict[CellKind, int] = {}
    for cell in filled:
        kind = classify(cell)
        if kind is not None:
            counts[kind] = counts.get(kind, 0) + 1
    if not counts:
        return None, "nội dung ô không cho biết"
    kind, count = max(counts.items(), key=lambda item: item[1])
    share = count / len(filled)
    why = f"{count}/{len(filled)} ô là {kind.value}"
    return (kind if share >= MOSTLY else None), why


_KIND_ROLES = {CellKind.DEADLINE: "period", CellKind.AMOUNT: "budget"}


def choose_roles(headings: Sequence[str], rows: Sequence[Sequence[str]], classify: Classify,
                 override: Sequence[str] | None = None) -> list[ColumnChoice]:
    """One choice per column. Columns nobody can name become "note": kept, never guessed."""
    if override is not None:
        return [ColumnChoice(h, role, RoleSource.MANIFEST, "khai báo `columns`") for h, role in zip(headings, override)]
    choices: list[ColumnChoice | None] = []
    for heading in headings:
        role = heading_role(heading)
        why = f"tiêu đề «{strip_html(heading)}»"
        choices.append(ColumnChoice(heading, role, RoleSource.HEADING, why) if role else None)
    taken = {c.role for c in choices if c}
    for column, choice in enumerate(choices):
        if choice is not None:
            continue
        cells = [row[column] for row in rows if column < len(row)]
        kind, why = _content_kind(cells, classify)
        role = _KIND_ROLES.get(kind) if kind else None
        if kind is CellKind.AGENCY:
            role = "coordinating" if "lead" in taken else "lead"
        if role is None and "task" not in taken and _mostly_long(cells):
            role, why = "task", "ô dài, là cột văn bản chính của bảng"
        if role is None or role in taken - {"note"}:
            choices[column] = ColumnChoice(headings[column], "note", RoleSource.NONE, why)
            continue
        taken.add(role)
        choices[column] = ColumnChoice(headings[column], role, RoleSource.CONTENT, why)
    return [c for c in choices if c is not None]


def _mostly_long(cells: Sequence[str]) -> bool:
    filled = [strip_html(c) for c in cells if strip_html(c)][:_SAMPLE]
    return len(filled) >= 2 and sum(len(c) >= 40 for c in filled) / len(filled) >= MOSTLY
