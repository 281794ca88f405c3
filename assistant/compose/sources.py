"""What every composer reads and yields: the records and plans an answer is written from, the
(text, ids it cites) chunk, and which retrieved hits are worth showing at all."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from assistant.contract import Query
from assistant.retrieval import Hit, Retrieval
from indexer.records import PlanDocument
from indexer.store import Record

Chunk = tuple[str, list[str]]  # a line of the answer and the ids of the records it cites

# A hit is shown beside the best one when its fused score is at least this share of the best's.
SHOWN_SCORE_SHARE = 0.5


@dataclass(frozen=True)
class Sources:
    """The records an answer may cite (by id) and the plans held, in the order they are listed."""

    records: dict[str, Record]
    plans: list[PlanDocument]


Composer = Callable[[Query, Retrieval, Sources], Iterator[Chunk]]


def relevant(hits: list[Hit]) -> list[Hit]:
    """The hits worth showing once the question was judged answerable: pinned ones, and those
    within reach of the best (assistant.assess decided whether to answer at all)."""
    if not hits:
        return []
    best = max(h.score for h in hits)
    return [h for h in hits if h.pinned or h.score >= best * SHOWN_SCORE_SHARE]
