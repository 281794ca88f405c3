"""How one row is written: its line in a list, its fields in a fact card, its budget, the yes/no
verdict on an agency's part in it, and the Vietnamese number formats these use."""

from __future__ import annotations

import re

from assistant.contract import Query
from assistant.retrieval import kind_title
from indexer.records import RowRecord
from indexer.vntext import fold

_MAX_WORK = 220  # characters of task text shown per item; the citation holds the whole row
_FIELD_ORDER = ("lead", "coordinating", "deadline", "product", "budget", "target")
_BEYOND_A_LINE = ("coordinating", "budget", "target")  # fields a row's line in a list leaves out unless asked
ROLE_WORDS = {"lead": " chủ trì", "coordinating": " phối hợp"}  # Query.role as it follows «nhiệm vụ»


def short(text: str, limit: int = _MAX_WORK) -> str:
    """The text on one line, cut at a word before `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def work(row: RowRecord) -> str:
    """What the row asks done: its activity, else its task, else its target."""
    return row.activity or row.task or row.target


def same_task(row: RowRecord, other: RowRecord) -> bool:
    return fold(work(row)) == fold(work(other)) or bool(row.task) and fold(row.task) == fold(other.task)


def describe_row(row: RowRecord, with_lead: bool = False, asked: list[str] | None = None) -> str:
    """A row's line in a list: its work, lead, product and deadline, and any other field the question
    asked for («phối hợp với ai», «kinh phí»)."""
    parts = [short(work(row))]
    if with_lead and row.lead_text:
        parts.append(f"chủ trì: {short(row.lead_text, 120)}")
    if row.product:
        parts.append(f"sản phẩm: {short(row.product, 120)}")
    parts.append(f"thời hạn: {row.period.text or 'không ghi'}")
    values = _field_values(row)
    parts += [f"{values[f][0]}: {values[f][1]}" for f in asked or [] if f in _BEYOND_A_LINE and (f != "target" or row.target)]
    return "; ".join(parts) + f" [{row.label}]"


def asked_scope(query: Query, period_label: str | None) -> str:
    """« trong quý III/2022 (thực hiện thường xuyên, …)»: the period and the kind of deadline asked."""
    scope = f" trong {period_label}" if period_label else ""
    if query.period_kind:
        kind = kind_title(query)
        scope += f" ({kind[0].lower()}{kind[1:]})"
    return scope


def thousands(value: int) -> str:
    """10300 -> "10.300", as Vietnamese writes numbers."""
    return f"{value:,}".replace(",", ".")


def vnd(value: float) -> str:
    """12000.0 -> "12.000"; 2.5 -> "2,5", as the plans print amounts."""
    whole, _, fraction = f"{value:,.2f}".rstrip("0").rstrip(".").partition(".")
    return whole.replace(",", ".") + ("," + fraction if fraction else "")


def unit_count(row: RowRecord) -> int | None:
    """How many units a per-unit budget is for, where the row says so: "314 cơ quan, đơn vị",
    "02 bệnh viện và 13 Trung tâm y tế"."""
    text = row.product or row.task
    numbers = [int(n.replace(".", "")) for n in re.findall(r"(?<![\d/.,])(\d{1,4}(?:\.\d{3})*)(?=\s+[^\W\d])", text.split("(")[0])]
    return sum(numbers) if numbers else None


def budget_text(row: RowRecord) -> str:
    if not row.budget:
        return "văn bản không ghi kinh phí"
    text = row.budget.text
    if row.budget.per_unit and row.budget.million_vnd is not None and (units := unit_count(row)):
        total = row.budget.million_vnd * units
        return f"{text} × {units} đơn vị = {vnd(total)} triệu đồng"
    if row.budget.million_vnd is not None and "triệu" not in text and "đồng" not in text:
        return f"{text} triệu đồng"
    return text


def _field_values(row: RowRecord) -> dict[str, tuple[str, str]]:
    """Each field of a row as (its Vietnamese name, its value as printed)."""
    return {
        "lead": ("chủ trì", row.lead_text or "văn bản không ghi"),
        "coordinating": ("phối hợp", short(row.coordinating_text, 300) if row.coordinating_text else "văn bản không ghi"),
        "deadline": ("thời hạn", row.period.text or "văn bản không ghi"),
        "product": ("sản phẩm", short(row.product, 300) if row.product else "văn bản không ghi"),
        "budget": ("kinh phí", budget_text(row)),
        "target": ("mục tiêu, chỉ tiêu", short(row.target, 300)),
    }


def row_facts(row: RowRecord, asked: list[str]) -> str:
    """Every field of a row, the ones asked first: a lookup answer is never one field short."""
    values = _field_values(row)
    order = [f for f in asked if f in values] + [f for f in _FIELD_ORDER if f not in asked]
    return "; ".join(f"{values[f][0]}: {values[f][1]}" for f in order if f != "target" or row.target)


def verdict(row: RowRecord, query: Query) -> str:
    """«Có» or «Không» for a yes/no question about an agency's part in the row found, from its cells."""
    agency = query.agency
    leads = agency.id in {a.id for a in row.lead}
    coordinates = agency.id in {a.id for a in row.coordinating}
    asked = query.role.value
    if (leads and asked in ("lead", "any")) or (coordinates and asked in ("coordinating", "any")):
        part = "chủ trì" if leads else "phối hợp"
        return f"Có: theo kế hoạch, {agency.name} {part} việc này."
    if coordinates:
        return f"Không: {agency.name} chỉ phối hợp; chủ trì là {row.lead_text or 'văn bản không ghi'}."
    return f"Không: dòng gần nhất với câu hỏi không giao {agency.name}; chủ trì là {row.lead_text or 'văn bản không ghi'}."
