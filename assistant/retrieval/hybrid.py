"""Hybrid search for lookups and prose facts: BM25 and dense rankings of the records in scope, fused
by weighted reciprocal rank; a lookup pins the row under discussion and the passages a fact lives in
ahead of the ranking."""

from __future__ import annotations

import re

from assistant.contract import Intent, Query
from assistant.facts import expand_for_search, fact_passages
from assistant.retrieval.results import Hit, Retrieval
from assistant.retrieval.where import all_of
from indexer.records import PlanDocument
from indexer.store import Index
from indexer.vntext import fold

RRF_K = 60  # reciprocal-rank fusion constant (Cormack et al.); robust without tuning
# Plans are searched with their own wording, so exact terms matter more than paraphrase; the weight
# was chosen on the evaluation set (see README, "Evaluation").
LEXICAL_WEIGHT = 5.0


# A question typed without diacritics («han chot danh gia can bo») reads to the embedding model as
# another language, while the lexical index folds both; its dense ranking then counts this much.
UNACCENTED_DENSE_WEIGHT = 0.25
_ACCENTED_AT_MOST = 0.1  # share of a question's words with diacritics below which it was typed without them


def dense_weight(text: str) -> float:
    words = [w for w in re.findall(r"[^\W\d_]+", text) if len(w) > 1]
    accented = sum(1 for w in words if fold(w) != w.lower())
    return UNACCENTED_DENSE_WEIGHT if len(words) >= 3 and accented <= _ACCENTED_AT_MOST * len(words) else 1.0


def fuse_ranks(*rankings: list[str], weights: tuple[float, ...] | None = None, k: int = RRF_K) -> dict[str, float]:
    """Weighted reciprocal-rank fusion: a record found by either ranking keeps a score, so a failed
    lexical match never hides dense results, nor the reverse."""
    weights = weights or (1.0,) * len(rankings)
    scores: dict[str, float] = {}
    for weight, ranking in zip(weights, rankings):
        for rank, record_id in enumerate(ranking, start=1):
            scores[record_id] = scores.get(record_id, 0.0) + weight / (k + rank)
    return scores


class HybridSearch:
    """Lexical + dense search over one index snapshot."""

    def __init__(self, index: Index, lexical_weight: float = LEXICAL_WEIGHT):
        if lexical_weight < 0:
            raise ValueError(f"lexical_weight must not be negative, got {lexical_weight}")
        self.index = index
        self.lexical_weight = lexical_weight

    def search(self, text: str, plans: list[PlanDocument], kinds: tuple[str, ...] = ("row", "prose"),
               k: int = 8, allowed: set[str] | None = None) -> list[Hit]:
        plan_ids = {p.id for p in plans}
        scope = self.index.ids_in(plan_ids, kinds)
        if allowed is not None:
            scope &= allowed
        if not scope:
            return []
        lexical = self.index.lexical.search(text, k=30, allowed=scope)
        where = all_of([
            {"document": {"$in": sorted(plan_ids)}} if len(plan_ids) > 1 else {"document": next(iter(plan_ids))},
            {"kind": kinds[0]} if len(kinds) == 1 else None,
        ])
        dense = [(i, s) for i, s in self.index.dense_search(text, k=30, where=where) if i in scope]
        fused = fuse_ranks([h.id for h in lexical], [i for i, _ in dense], weights=(self.lexical_weight, dense_weight(text)))
        lexical_rank = {h.id: (rank, h.score) for rank, h in enumerate(lexical, start=1)}
        ceiling = self.index.lexical.ceiling(text) or 1.0
        dense_rank = {i: (rank, s) for rank, (i, s) in enumerate(dense, start=1)}
        hits = [
            Hit(
                id=record_id,
                score=score,
                lexical_rank=lexical_rank.get(record_id, (None, 0.0))[0],
                lexical_score=lexical_rank.get(record_id, (None, 0.0))[1],
                lexical_share=lexical_rank.get(record_id, (None, 0.0))[1] / ceiling,
                dense_rank=dense_rank.get(record_id, (None, 0.0))[0],
                dense_similarity=dense_rank.get(record_id, (None, 0.0))[1],
            )
            for record_id, score in fused.items()
        ]
        return sorted(hits, key=lambda h: -h.score)[:k]

    def lookup(self, query: Query, plans: list[PlanDocument]) -> Retrieval:
        """The closest records to a lookup or a prose fact, the pinned ones first."""
        # An agency named in a lookup ("… đến UBND cấp xã") is part of what is asked about, not a
        # filter: its words already weigh in the lexical ranking.
        text = f"{query.question} {query.topic}" if query.inherited else query.question
        hits = self.search(expand_for_search(text), plans, kinds=("row", "prose"))
        plan_ids = {p.id for p in plans}
        sections = [s for s in self.index.sections if s.document in plan_ids]
        first = [query.focus] if query.focus in self.index.records else []
        # «Ai chủ trì thực hiện chế độ báo cáo …» asks who leads a row, not the plan body's reporting duty.
        asks_who = query.intent is Intent.LOOKUP and query.lookup in ("lead", "coordinating")
        facts = [] if asks_who else fact_passages(query.question, sections)
        boosted = [Hit(id=i, score=1.0, pinned=True) for i in first + facts]
        ranked = boosted + [h for h in hits if h.id not in {b.id for b in boosted}]
        return Retrieval(intent=query.intent, hits=ranked[: max(8, len(boosted))])
