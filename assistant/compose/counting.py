"""Counts and sums: how many tasks an agency leads, coordinates or shares per plan (compared across
provinces when several are counted, then listed), and the total budget of the rows selected."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.compose.decline import not_found
from assistant.compose.listing import compose_listing
from assistant.compose.rows import ROLE_WORDS, asked_scope, budget_text, short, vnd, work
from assistant.compose.sources import Chunk, Sources
from assistant.contract import Query
from assistant.retrieval import PlanListing, Retrieval
from indexer.records import RowRecord

_HOW_COUNTED = ("Cách đếm: mỗi dòng của bảng nhiệm vụ tính một lần, theo ô Chủ trì / Phối hợp ghi đúng tên cơ quan; "
                "dòng giao cho tập thể (các sở, ban, ngành…) đếm riêng. Danh sách các dòng:")


def comparison(totals: dict[str, int], query: Query) -> str:
    """«So sánh: Hưng Yên 12, Hà Tĩnh 9 — Hưng Yên nhiều hơn.» over the provinces counted."""
    role = ROLE_WORDS.get(query.role.value, "")
    ranked = sorted(totals.items(), key=lambda item: -item[1])
    listed = ", ".join(f"{province} {count}" for province, count in ranked)
    if ranked[0][1] == ranked[1][1]:
        return f"So sánh số nhiệm vụ{role}: {listed} — bằng nhau."
    return f"So sánh số nhiệm vụ{role}: {listed} — {ranked[0][0]} nhiều nhất."


def compose_count(query: Query, retrieval: Retrieval, sources: Sources) -> Iterator[Chunk]:
    totals: dict[str, int] = {}
    for listing in retrieval.listings:
        counted, line = _plan_count(query, listing) if listing.agency else _plan_size(query, listing)
        totals[listing.plan.province] = totals.get(listing.plan.province, 0) + counted
        yield line, []
    if len(totals) > 1:
        yield comparison(totals, query), []
    yield _HOW_COUNTED, []
    yield from compose_listing(query, retrieval, sources)


def _plan_size(query: Query, listing: PlanListing) -> tuple[int, str]:
    """No agency asked: the tasks of the plan (its section, its period)."""
    scope = asked_scope(query, listing.period.label if listing.period else None)
    section = f", mục {query.section}" if query.section else ""
    return len(listing.ids), f"{listing.plan.short_title}{section}{scope}: {len(listing.ids)} nhiệm vụ."


def _plan_count(query: Query, listing: PlanListing) -> tuple[int, str]:
    """An agency's tasks in one plan by role; the count compared is the role asked (both if none)."""
    sizes = {key: sum(len(g.ids) for g in listing.groups if g.key.startswith(key)) for key in ("lead", "coordinating", "collective", "text")}
    who = listing.agency.name
    scope = asked_scope(query, listing.period.label if listing.period else None)
    asked = {"lead": sizes["lead"], "coordinating": sizes["coordinating"]}.get(
        query.role.value, sizes["lead"] + sizes["coordinating"])
    return asked, (f"{who} — {listing.plan.short_title}{scope}: chủ trì {sizes['lead']} nhiệm vụ, phối hợp {sizes['coordinating']}, "
                   f"giao chung cho tập thể có {who} {sizes['collective']}"
                   + (f", và {sizes['text']} nhiệm vụ giao trong phần lời của kế hoạch" if sizes["text"] else "") + ".")


def compose_sum(query: Query, retrieval: Retrieval, sources: Sources) -> Iterator[Chunk]:
    rows = [r for listing in retrieval.listings for r in (sources.records[i] for i in listing.ids) if isinstance(r, RowRecord)]
    if not rows:
        yield from not_found(query, sources)
        return
    summed = [r for r in rows if r.budget and r.budget.million_vnd is not None and not r.budget.per_unit]
    per_unit = [r for r in rows if r.budget and r.budget.per_unit]
    other = [r for r in rows if r not in summed and r not in per_unit]
    scope = f"mục {query.section}" if query.section else (f"các nhiệm vụ {query.agency.name} chủ trì" if query.agency else "các dòng đã chọn")
    total = sum(r.budget.million_vnd for r in summed)
    yield (f"Tổng kinh phí {scope}: {vnd(total)} triệu đồng, cộng từ {len(summed)} dòng ghi số tiền "
           f"(đơn vị triệu đồng){f'; {len(other)} dòng không ghi số tiền' if other else ''}."), []
    for number, row in enumerate(summed, start=1):
        yield f"{number}. {short(work(row), 160)}: {budget_text(row)} [{row.label}]", [row.id]
    if per_unit:
        yield "Kinh phí tính theo đơn vị (không cộng vào tổng):", []
        for row in per_unit:
            yield f"- {short(work(row), 160)}: {budget_text(row)} [{row.label}]", [row.id]
