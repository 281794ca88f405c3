"""Gold labels from the records alone, for questions whose gold follows a rule (docs/eval-format.md).

The specs of the test split are in eval/oracle-specs/test.jsonl (question id -> spec); `label` turns it into `gold_rows`, `acceptable_rows` and, for
counts and sums, the `facts` the answer must state. It reads only parsed records, never the
assistant's answers or its retrieval code, so the gold stays independent of what it scores.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from indexer.agencies import AgencyTable
from indexer.records import PeriodKind, RowRecord
from indexer.vntext import fold

_OPEN = (PeriodKind.PER_GUIDANCE, PeriodKind.WHEN_ARISES, PeriodKind.UNKNOWN)


def _touches(row: RowRecord, start: dt.date, end: dt.date) -> bool:
    p = row.period
    if p.kind in _OPEN or p.start is None or p.end is None:
        return False
    if p.start <= end and p.end >= start:
        return True
    return p.continues_after and p.end < start


def _ids(row: RowRecord, field: str) -> set[str]:
    return {a.id for a in getattr(row, field)}


def _listing(rows: list[RowRecord], spec: dict[str, Any], agencies: AgencyTable) -> tuple[list[str], list[str]]:
    span = spec.get("span")
    start, end = (dt.date.fromisoformat(span[0]), dt.date.fromisoformat(span[1])) if span else (None, None)
    gold: list[str] = []
    acceptable: list[str] = []
    for row in rows:
        for agency in spec["ag"]:
            collectives = set(agencies.collectives_concerning(agency))
            direct = (spec["role"] in ("lead", "any") and agency in _ids(row, "lead")) or (
                spec["role"] in ("coordinating", "any") and agency in _ids(row, "coordinating"))
            by_collective = bool(_ids(row, "lead") & collectives) or agency in _ids(row, "coordinating")
            if start is None:
                (gold if direct else acceptable if by_collective else []).append(row.id)
            elif direct and _touches(row, start, end):
                gold.append(row.id)
            elif (direct and row.period.kind in _OPEN) or (by_collective and (_touches(row, start, end) or row.period.kind in _OPEN)):
                acceptable.append(row.id)
    return list(dict.fromkeys(gold)), [i for i in dict.fromkeys(acceptable) if i not in gold]


def _kind(rows: list[RowRecord], spec: dict[str, Any]) -> list[str]:
    wanted = spec["kind"]
    out = []
    for row in rows:
        text = fold(row.period.text)
        match = {
            "recurring": row.period.kind is PeriodKind.RECURRING,
            "hang_nam": "hang nam" in text,
            "thang12": "hang nam" in text and "thang 12" in text,
            "continues": row.period.continues_after,
        }[wanted]
        if spec.get("ag"):
            role = spec.get("role", "any")
            names = (_ids(row, "lead") if role in ("lead", "any") else set()) | (
                _ids(row, "coordinating") if role in ("coordinating", "any") else set())
            match = match and spec["ag"] in names
        if match:
            out.append(row.id)
    return out


def vnd(value: float) -> str:
    """12000.0 -> "12.000" as the plans print amounts."""
    whole = f"{value:,.0f}".replace(",", ".")
    return whole


def label(spec: dict[str, Any], rows: list[RowRecord], agencies: AgencyTable) -> dict[str, Any]:
    provinces = spec.get("prov")
    if isinstance(provinces, str):
        provinces = [provinces]
    scoped = [r for r in rows if not provinces or r.province in provinces]
    kind = spec["type"]
    if kind in ("listing", "count"):
        gold, acceptable = _listing(scoped, spec, agencies)
        facts = [str(len(gold))] if kind == "count" else []
        return {"gold_rows": gold + spec.get("prose", []), "acceptable_rows": acceptable, "facts": facts}
    if kind == "period_only":
        start, end = (dt.date.fromisoformat(d) for d in spec["span"])
        gold = [r.id for r in scoped if r.period.kind is PeriodKind.DATED and _touches(r, start, end)]
        acceptable = [r.id for r in scoped if r.id not in gold and (_touches(r, start, end) or r.period.kind in _OPEN)]
        return {"gold_rows": gold, "acceptable_rows": acceptable, "facts": []}
    if kind == "kind":
        return {"gold_rows": _kind(scoped, spec), "acceptable_rows": [], "facts": []}
    if kind in ("sum", "sum_agency"):
        if kind == "sum":
            summed = [r for r in scoped if r.section_code == spec["section"] or r.section_code.startswith(spec["section"] + ".")]
        else:
            summed = [r for r in scoped if spec["ag"] in _ids(r, "lead")]
        summed = [r for r in summed if r.budget and r.budget.million_vnd is not None and not r.budget.per_unit]
        total = sum(r.budget.million_vnd for r in summed)
        return {"gold_rows": [r.id for r in summed], "acceptable_rows": [], "facts": [vnd(total)]}
    raise ValueError(f"unknown oracle type {kind!r}")
