"""Lookups: the fact card of the row asked about (every field, the asked ones first), with a
yes/no verdict when the question is one, the other rows of the same task, and a second row in a
near tie with the first."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.compose.decline import not_found
from assistant.compose.prose import compose_prose
from assistant.compose.rows import describe_row, row_facts, same_task, short, verdict, work
from assistant.compose.sources import Chunk, Sources, relevant
from assistant.contract import Query
from assistant.retrieval import NEAR_TIE_SHARE, Hit, Retrieval
from indexer.records import ProseSection, RowRecord

def compose_lookup(query: Query, retrieval: Retrieval, sources: Sources) -> Iterator[Chunk]:
    hits = relevant(retrieval.hits)
    if not hits:
        yield from not_found(query, sources)
        return
    best = sources.records[hits[0].id]
    if isinstance(best, ProseSection):
        # The answer lives in the plan body (reporting deadlines, targets), not in a table row.
        yield from compose_prose(query, retrieval, sources)
        return
    if query.yes_no and query.agency:
        yield verdict(best, query), []
    yield f"«{short(work(best), 200)}»: {row_facts(best, query.fields)} [{best.label}]", [best.id]
    others = _same_task_rows(hits, best, sources)
    if others:
        yield "Các dòng liên quan khác:", []
        for hit in others:
            yield f"- {describe_row(sources.records[hit.id], with_lead=True)}", [hit.id]
    for hit in _near_tie(hits, others, sources):
        row = sources.records[hit.id]
        yield f"Dòng gần nghĩa, nên xem cùng: «{short(work(row), 200)}»: {row_facts(row, query.fields)} [{row.label}]", [hit.id]


def _same_task_rows(hits: list[Hit], best: RowRecord, sources: Sources) -> list[Hit]:
    """Only other rows of the same task (the plan may print it twice): the citations do not depend on phrasing."""
    return [h for h in hits[1:3] if isinstance(sources.records[h.id], RowRecord) and same_task(sources.records[h.id], best)]


def _near_tie(hits: list[Hit], others: list[Hit], sources: Sources) -> list[Hit]:
    """A second row in a near tie with the first: which of the two is meant, the retrieval cannot
    tell, so both are shown (the official picks; missing the right row costs more)."""
    return [h for h in hits[1:2] if h.score >= hits[0].score * NEAR_TIE_SHARE and h not in others
            and isinstance(sources.records[h.id], RowRecord)]
