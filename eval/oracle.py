"""Gold labels from the records alone, for questions whose gold follows a rule (docs/eval-format.md).

The specs of the test and sealed splits are in eval/oracle-specs/{test,sealed}.jsonl (question id ->
spec); `label` turns one into `gold_rows`, `acceptable_rows` and, for counts, sums and comparisons,
the `facts` the answer must state. It reads only parsed records, never the assistant's answers or
its retrieval code, so the gold stays independent of what it scores.

Spec keys besides `type`: `prov` (province or list), `ag` (agency ids), `role` (lead, any,
coordinating, coordinating_only: coordinates and does not lead the row; co_lead: leads together
with another agency, or with every id of `with`), `span` ([start, end] ISO dates), `section` (a
section code and its subsections, e.g. "VII.A"), `section_title` (words of the section path),
`exclude` (period kinds left out, e.g. ["recurring", "whole_year"]), `prose` (prose ids added to
the gold).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
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


def _co_lead(row: RowRecord, agency: str, spec: dict[str, Any]) -> bool:
    leads = _ids(row, "lead")
    partners = set(spec.get("with", []))
    return agency in leads and (partners <= leads if partners else len(leads) > 1)


# role -> does the row give the agency that role itself (not through a collective)
_DIRECT: dict[str, Callable[[RowRecord, str, dict[str, Any]], bool]] = {
    "lead": lambda row, ag, spec: ag in _ids(row, "lead"),
    "coordinating": lambda row, ag, spec: ag in _ids(row, "coordinating"),
    "any": lambda row, ag, spec: ag in _ids(row, "lead") | _ids(row, "coordinating"),
    "coordinating_only": lambda row, ag, spec: ag in _ids(row, "coordinating") and ag not in _ids(row, "lead"),
    "co_lead": _co_lead,
}
# roles whose acceptable rows exclude collectives: a collective never "co-leads" with the agency
_NO_COLLECTIVE = {"co_lead"}


def in_section(row: RowRecord, spec: dict[str, Any]) -> bool:
    """The row lies in the spec's section (code and its subsections) and under its title words."""
    code = spec.get("section")
    if code and not (row.section_code == code or row.section_code.startswith(code + ".")):
        return False
    title = spec.get("section_title")
    return not title or fold(title) in fold(row.section)


def scope(rows: list[RowRecord], spec: dict[str, Any]) -> list[RowRecord]:
    """Rows of the named provinces and section, without the excluded period kinds."""
    provinces = spec.get("prov")
    if isinstance(provinces, str):
        provinces = [provinces]
    excluded = {PeriodKind(k) for k in spec.get("exclude", [])}
    return [r for r in rows if (not provinces or r.province in provinces) and in_section(r, spec)
            and r.period.kind not in excluded]


def _listing(rows: list[RowRecord], spec: dict[str, Any], agencies: AgencyTable) -> tuple[list[str], list[str]]:
    span = spec.get("span")
    start, end = (dt.date.fromisoformat(span[0]), dt.date.fromisoformat(span[1])) if span else (None, None)
    gold: list[str] = []
    acceptable: list[str] = []
    role = spec["role"]
    for row in rows:
        for agency in spec["ag"]:
            collectives = set(agencies.collectives_concerning(agency))
            direct = _DIRECT[role](row, agency, spec)
            by_collective = role not in _NO_COLLECTIVE and (
                bool(_ids(row, "lead") & collectives) or agency in _ids(row, "coordinating"))
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


def _named(row: RowRecord, spec: dict[str, Any]) -> bool:
    """No agency in the spec, or the row gives it the spec's role itself."""
    agencies = spec.get("ag") or []
    if isinstance(agencies, str):
        agencies = [agencies]
    role = spec.get("role", "any")
    return not agencies or any(_DIRECT[role](row, a, spec) for a in agencies)


def _literal(rows: list[RowRecord], spec: dict[str, Any]) -> list[str]:
    """Rows whose deadline cell reads as the question quotes it (accents, case, spaces aside)."""
    wanted = re.sub(r"\s+", "", fold(spec["text"]))
    return [r.id for r in rows if wanted in re.sub(r"\s+", "", fold(r.period.text)) and _named(r, spec)]


def _due(rows: list[RowRecord], spec: dict[str, Any]) -> list[str]:
    """Dated rows whose deadline ends inside the span: due soon, due this month, overdue."""
    start, end = (dt.date.fromisoformat(d) for d in spec["span"])
    return [r.id for r in rows if r.period.kind is PeriodKind.DATED and r.period.end is not None
            and start <= r.period.end <= end and _named(r, spec)]


def vnd(value: float) -> str:
    """12000.0 -> "12.000" as the plans print amounts."""
    whole = f"{value:,.0f}".replace(",", ".")
    return whole


def label(spec: dict[str, Any], rows: list[RowRecord], agencies: AgencyTable) -> dict[str, Any]:
    scoped = scope(rows, spec)
    kind = spec["type"]
    if kind == "compare":  # which of two scopes gives more: both counts are facts
        sides = [label({**side, "type": "count"}, rows, agencies) for side in spec["sides"]]
        gold = list(dict.fromkeys(i for side in sides for i in side["gold_rows"]))
        acceptable = [i for side in sides for i in side["acceptable_rows"] if i not in gold]
        return {"gold_rows": gold, "acceptable_rows": list(dict.fromkeys(acceptable)),
                "facts": [side["facts"][0] for side in sides]}
    if kind in ("literal", "due"):
        gold = (_literal if kind == "literal" else _due)(scoped, spec)
        return {"gold_rows": gold, "acceptable_rows": [], "facts": [str(len(gold))] if spec.get("count") else []}
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


def apply_specs(questions: list[dict[str, Any]], specs: dict[str, dict[str, Any]], rows: list[RowRecord],
                agencies: AgencyTable) -> list[str]:
    """Writes the oracle's gold into the questions that have a spec (in place); facts the oracle
    computes come first, the question's own printed facts stay after them. Returns the ids changed."""
    changed = []
    for question in questions:
        spec = specs.get(question["id"])
        if spec is None:
            continue
        gold = label(spec, rows, agencies)
        facts = list(dict.fromkeys(gold["facts"] + question["facts"]))
        new = {**question, "gold_rows": gold["gold_rows"], "acceptable_rows": gold["acceptable_rows"], "facts": facts}
        if new != question:
            changed.append(question["id"])
            question.update(new)
    return changed


def main(argv: list[str] | None = None) -> int:
    """python -m eval.oracle SPECS QUESTIONS: rewrite the gold of QUESTIONS from SPECS and the built index."""
    import json
    import sys
    from pathlib import Path

    from cchc.settings import get_settings
    from service.wiring import open_index

    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 2:
        print("Cách dùng: python -m eval.oracle SPECS.jsonl QUESTIONS.jsonl", file=sys.stderr)
        return 2
    specs_path, questions_path = (Path(a) for a in args)
    specs = {}
    for line in specs_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            specs[item["id"]] = item["oracle"]
    questions = [json.loads(line) for line in questions_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    index = open_index(get_settings())
    rows = [r for r in index.records.values() if isinstance(r, RowRecord)]
    changed = apply_specs(questions, specs, rows, AgencyTable.load())
    questions_path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")
    print(f"{len(changed)} câu hỏi được cập nhật gold: {', '.join(changed) or '—'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
