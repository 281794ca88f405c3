"""Building an answer's typed blocks (assistant.contract), so no front-end re-parses its text.

A listing becomes a heading per plan and a group per kind of duty (due in the period, ongoing,
by guidance, given to a collective, coordination…), each item a row with its fields; other
answers become facts with their citation; caveats become notes with a severity; and a few
follow-up questions are suggested. `Answer.answer` stays the plain-text rendering of the same.
"""

from __future__ import annotations

from typing import Any

from assistant.contract import (
    Block,
    FactBlock,
    FollowUpsBlock,
    GroupBlock,
    GroupKind,
    HeadingBlock,
    Intent,
    Item,
    NoteBlock,
    Query,
    Role,
    Severity,
)
from assistant.cards import fact_card
from assistant.deadlines import deadline_first, summary
from indexer.records import PlanDocument, ProseSection, RowRecord


# retrieval.RowGroup keys -> kinds; one table, no string if/elif.
_GROUP_KINDS = {
    "lead_due": GroupKind.DUE, "due": GroupKind.DUE, "lead": GroupKind.LEAD, "lead_ongoing": GroupKind.ONGOING,
    "lead_open": GroupKind.GUIDANCE, "collective": GroupKind.COLLECTIVE, "coordinating": GroupKind.COORDINATION,
    "text": GroupKind.TEXT,
}


NOTE_PREFIX = "Lưu ý: "


def note(text: str) -> NoteBlock:
    """A caveat line of the answer text as a note; the out-of-range one is a warning."""
    body = text.removeprefix(NOTE_PREFIX)
    severity = Severity.WARNING if "chưa có kế hoạch nào cho" in body else Severity.CAVEAT
    return NoteBlock(text=body, severity=severity)


def follow_ups(query: Query) -> FollowUpsBlock | None:
    """Questions an official naturally asks next, written out so one tap asks them."""
    if query.intent is not Intent.LISTING or not query.agencies:
        return None
    who = " và ".join(a.name for a in query.agencies)
    where = f" tỉnh {query.provinces[0]}" if len(query.provinces) == 1 else ""
    questions = []
    if query.role is Role.LEAD:
        questions.append(f"{who}{where} phối hợp những việc gì{' trong ' + query.period.label if query.period else ''}?")
    if query.period is not None and len(query.period.quarters) == 1:
        questions.append("Còn quý sau thì sao?")
    if query.role is not Role.LEAD:
        questions.append(f"{who}{where} chủ trì những việc gì?")
    return FollowUpsBlock(questions=questions) if questions else None


def overview_question(query: Query, province: str) -> str:
    """The listing question again, for one province (what a broad listing suggests asking)."""
    who = " và ".join(a.name for a in query.agencies) if query.agencies else "Các cơ quan"
    verb = {Role.LEAD: "chủ trì", Role.COORDINATING: "phối hợp"}.get(query.role, "phụ trách")
    scope = f" trong {query.period.label}" if query.period else ""
    return f"{who} tỉnh {province} {verb} những việc gì{scope}?"


def group_kind(key: str) -> GroupKind:
    return _GROUP_KINDS.get(key, GroupKind.OTHER)


def listing_heading(who: str, period_label: str | None, plan: PlanDocument, count: int) -> str:
    scope = f", {period_label}" if period_label else ""
    return f"{who}{scope} — {plan.short_title}: {count} nhiệm vụ."


def build_blocks(query: Query, retrieval: Any, chunks: list[tuple[str, list[str]]],
                 records: dict[str, RowRecord | ProseSection], plans: dict[str, PlanDocument]) -> list[Block]:
    """The answer as blocks: listings from their structure, everything else from its text lines."""
    blocks: list[Block] = []
    listings = [listing for listing in getattr(retrieval, "listings", []) if listing.ids]
    broad = bool(getattr(retrieval, "broad", False))
    if query.intent is Intent.LISTING and listings and not broad:
        blocks += [note(text) for text, _ in chunks if text.startswith(NOTE_PREFIX)]
        for listing in listings:
            who = listing.agency.name if listing.agency else "Các cơ quan"
            label = listing.period.label if listing.period else None
            blocks.append(HeadingBlock(text=listing_heading(who, label, listing.plan, len(listing.ids))))
            groups = []
            for group in listing.groups:
                items = [Item.of(records[i], plans.get(records[i].document)) for i in group.ids if i in records]
                groups.append(GroupBlock(kind=group_kind(group.key), title=group.title, count=len(items), items=items))
            groups = deadline_first(query, groups)
            if line := summary(groups, query):
                blocks.append(line)
            blocks += groups
            blocks += [NoteBlock(text=text) for text in listing.notes]
    else:
        first = next((ids[0] for text, ids in chunks if ids and not text.startswith(NOTE_PREFIX)), None)
        if query.intent is Intent.LOOKUP and isinstance(records.get(first), RowRecord):
            blocks.append(fact_card(query, records[first]))
        for text, ids in chunks:
            # A generator that gives its answer as one chunk (the LLM) still has its notes on lines of their own.
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            facts = "\n".join(line for line in lines if not line.startswith(NOTE_PREFIX))
            if facts:
                blocks.append(FactBlock(text=facts, citation=ids[0] if ids else None))
            blocks += [note(line) for line in lines if line.startswith(NOTE_PREFIX)]
    if broad:
        provinces = list(retrieval.by_province())[:3]
        blocks.append(FollowUpsBlock(questions=[overview_question(query, province) for province in provinces]))
    elif more := follow_ups(query):
        blocks.append(more)
    return blocks
