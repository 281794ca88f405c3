"""Listings: what an agency must do (in a period), plan by plan and group by group, each item one
line citing its row; a listing over too many provinces is written as counts per province."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.blocks import listing_heading, overview_question
from assistant.compose.decline import plans_held
from assistant.compose.rows import ROLE_WORDS, asked_scope, describe_row, short, thousands
from assistant.compose.sources import Chunk, Sources
from assistant.contract import Query
from assistant.retrieval import PlanListing, Retrieval, RowGroup
from indexer.records import ProseSection

# Groups whose rows are not all led by the agency asked: each item names who leads it.
_GROUPS_NAMING_LEAD = ("coordinating", "due", "all", "kind", "topic")


def compose_listing(query: Query, retrieval: Retrieval, sources: Sources) -> Iterator[Chunk]:
    who = " và ".join(a.name for a in query.agencies) if query.agencies else "Các cơ quan"
    listings = retrieval.listings
    if not any(listing.ids for listing in listings):
        yield from _nothing_listed(query, listings, who, sources)
        return
    if retrieval.broad:
        yield from _overview(query, retrieval, who)
        return
    yield from _moved_note(listings, sources)
    for listing in listings:
        if listing.ids:
            yield from _plan_listing(listing, sources)
        elif listing.agency and len(query.agencies) > 1:
            yield f"\n{listing.agency.name} — {listing.plan.short_title}: không có nhiệm vụ nào trong phạm vi hỏi.", []


def _nothing_listed(query: Query, listings: list[PlanListing], who: str, sources: Sources) -> Iterator[Chunk]:
    scope = asked_scope(query, query.period.label if query.period else None)
    role = ROLE_WORDS.get(query.role.value, "")
    plans = [listing.plan for listing in listings] or sources.plans
    if query.agencies:
        yield f"Các kế hoạch không giao {who} nhiệm vụ{role} nào{scope} ({plans_held(plans)}).", []
    else:
        yield f"Không có nhiệm vụ nào{scope} phù hợp câu hỏi trong {plans_held(plans)}.", []
    for listing in listings:
        for note in listing.notes:
            yield note, []


def _moved_note(listings: list[PlanListing], sources: Sources) -> Iterator[Chunk]:
    """The asked year is not held: the same period of the nearest plan is listed, said so first."""
    moved = [listing for listing in listings if listing.moved_from]
    if not moved:
        return
    asked = moved[0].moved_from.label
    years = sorted({listing.plan.year for listing in moved})
    held = sorted({p.year for p in sources.plans})
    yield (f"Lưu ý: chưa có kế hoạch nào cho {asked} (các kế hoạch hiện có thuộc năm {', '.join(map(str, held))}). "
           f"Dưới đây là nhiệm vụ cùng kỳ trong kế hoạch gần nhất (năm {', '.join(map(str, years))}), chỉ để tham khảo."), []


def _plan_listing(listing: PlanListing, sources: Sources) -> Iterator[Chunk]:
    who = listing.agency.name if listing.agency else "Các cơ quan"
    label = listing.period.label if listing.period else None
    yield "\n" + listing_heading(who, label, listing.plan, len(listing.ids)), []
    for group in listing.groups:
        yield f"{group.title} ({len(group.ids)}):", []
        yield from _group_items(group, sources)
    for note in listing.notes:
        yield note, []


def _group_items(group: RowGroup, sources: Sources) -> Iterator[Chunk]:
    for number, record_id in enumerate(group.ids, start=1):
        record = sources.records[record_id]
        if isinstance(record, ProseSection):
            yield f"{number}. {record.heading}: {short(record.text, 400)} [{record.label}]", [record_id]
            continue
        yield f"{number}. {describe_row(record, with_lead=group.key in _GROUPS_NAMING_LEAD)}", [record_id]


def _overview(query: Query, retrieval: Retrieval, who: str) -> Iterator[Chunk]:
    counts = retrieval.by_province()
    scope = f" trong {query.period.label}" if query.period else ""
    yield (f"{who} có {thousands(sum(counts.values()))} dòng nhiệm vụ liên quan{scope} trong kế hoạch của "
           f"{len(counts)} tỉnh, thành phố — quá nhiều để liệt kê trong một câu trả lời. Hãy hỏi kèm tên tỉnh, "
           f"ví dụ: «{overview_question(query, next(iter(counts)))}»"), []
    for province, count in counts.items():
        years = sorted({l.plan.year for l in retrieval.listings if l.plan.province == province and l.ids})
        span = f"năm {years[0]}" if len(years) == 1 else f"{len(years)} kế hoạch, {years[0]}–{years[-1]}"
        yield f"- {province}: {thousands(count)} dòng ({span})", []
