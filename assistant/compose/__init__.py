"""The deterministic, grounded generator: it writes the answer from the records themselves, so it
never states anything the rows do not. Each fact is followed by the label of the row it came from.

One composer per intent, found through `COMPOSERS`:
- listing.py   LISTING: an agency's tasks plan by plan (a broad one: counts per province)
- lookup.py    LOOKUP: the fact card of a row, related rows, a near tie
- counting.py  COUNT, SUM: tasks by role with a comparison across provinces; budget totals
- prose.py     SEARCH: facts from the plan bodies (sentences, figures)
- decline.py   META and what is written when the plans do not answer (declines, not found)
- rows.py      how one row is written (shared by the composers)
This module streams them: declines and an unrecognised agency first, then the understanding's
notes, the composer's lines, the notes on the versions of the plans cited and the caveat."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, Field

from assistant.answerability import Decision
from assistant.compose.counting import comparison, compose_count, compose_sum
from assistant.compose.decline import compose_meta, decline_text, plans_held, unknown_agency_text
from assistant.compose.listing import compose_listing
from assistant.compose.lookup import compose_lookup
from assistant.compose.prose import compose_prose
from assistant.compose.rows import budget_text, describe_row, row_facts, thousands, unit_count, verdict, vnd
from assistant.compose.sources import SHOWN_SCORE_SHARE, Chunk, Composer, Sources
from assistant.contract import Intent, Query
from assistant.retrieval import Retrieval
from indexer.records import PlanDocument
from indexer.store import Record

__all__ = [
    "CAVEAT_NOTE", "COMPOSERS", "SHOWN_SCORE_SHARE", "DeterministicGenerator", "Draft",
    "budget_text", "comparison", "decline_text", "describe_row", "plans_held", "row_facts", "thousands",
    "unit_count", "verdict", "version_notes", "vnd",
]

CAVEAT_NOTE = ("không dòng nào khớp hẳn với mọi ý của câu hỏi; trên đây là nội dung gần nhất trong kế hoạch, "
               "hãy đối chiếu với dòng được trích.")

# Every intent but DECLINE, which is answered before any composer (without notes or citations).
COMPOSERS: dict[Intent, Composer] = {
    Intent.LISTING: compose_listing,
    Intent.LOOKUP: compose_lookup,
    Intent.SEARCH: compose_prose,
    Intent.COUNT: compose_count,
    Intent.SUM: compose_sum,
    Intent.META: compose_meta,
}


class Draft(BaseModel):
    """An answer before it is wrapped in the contract: its text and the records it cites, in order."""

    text: str
    cited: list[str] = Field(default_factory=list)
    found: bool = True
    flags: list[str] = Field(default_factory=list)
    chunks: list[tuple[str, list[str]]] = Field(default_factory=list, description="(line, ids it cites), for the blocks")


def version_notes(plans: dict[str, PlanDocument], cited_plans: list[str]) -> list[str]:
    """What an official must know about the versions of the plans an answer cites."""
    notes = []
    for plan_id in dict.fromkeys(cited_plans):
        plan = plans.get(plan_id)
        if plan is None:
            continue
        if plan.replaces in plans:
            notes.append(f"«{plan.short_title}» thay thế «{plans[plan.replaces].short_title}»; câu trả lời theo văn bản mới.")
        if plan.amends in plans:
            notes.append(f"«{plan.short_title}» sửa đổi, bổ sung «{plans[plan.amends].short_title}»; "
                         "các dòng trích từ văn bản này là nội dung hiện hành.")
        later = [plans[i] for i in plan.amended_by if i in plans]
        if later:
            names = ", ".join(f"«{p.short_title}»" + (f" (số {p.doc_number})" if p.doc_number else "") for p in later)
            notes.append(f"«{plan.short_title}» đã được sửa đổi, bổ sung bởi {names}; hãy đối chiếu nội dung sửa đổi.")
    return notes


class DeterministicGenerator:
    """Composes Vietnamese answers line by line from the retrieved records."""

    name = "deterministic"

    def __init__(self, records: dict[str, Record], plans: list[PlanDocument]):
        self.records = records
        self.plans = plans

    def stream(self, query: Query, retrieval: Retrieval, flags: list[str] | None = None) -> Iterator[Chunk]:
        """Yields (text chunk, ids cited by that chunk); composing from records raises no flags."""
        if query.intent is Intent.DECLINE:
            yield decline_text(query, self.plans), []
            return
        if query.unknown_agency and not query.agency:
            yield unknown_agency_text(query), []
            return
        for note in query.notes:
            yield f"Lưu ý: {note}", []
        cited: list[str] = []
        for chunk, ids in COMPOSERS[query.intent](query, retrieval, Sources(self.records, self.plans)):
            cited += ids
            yield chunk, ids
        for note in version_notes({p.id: p for p in self.plans}, [self.records[i].document for i in cited if i in self.records]):
            yield f"Lưu ý: {note}", []
        if query.assessment and query.assessment.decision is Decision.CAVEAT:
            yield f"Lưu ý: {CAVEAT_NOTE}", []

    def generate(self, query: Query, retrieval: Retrieval) -> Draft:
        text, cited, chunks = [], [], []
        for chunk, ids in self.stream(query, retrieval):
            text.append(chunk)
            chunks.append((chunk, ids))
            cited.extend(i for i in ids if i not in cited)
        return Draft(text="\n".join(text).strip(), cited=cited, chunks=chunks)
