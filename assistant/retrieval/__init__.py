"""Retrieval, in two rooms: exact listing filters (`listings`: every matching row, no top-k, for
listings, counts and sums) and hybrid lexical + dense search (`hybrid`: lookups and prose facts).
`PlanSearch` chooses the plans in scope and, by intent, the room that answers."""

from __future__ import annotations

from collections.abc import Callable

from assistant.answerability import weighted_coverage
from assistant.contract import Intent, Query
from assistant.retrieval.hybrid import LEXICAL_WEIGHT, RRF_K, HybridSearch, fuse_ranks
from assistant.retrieval.keys import coverage, keys_by_record, record_keys, topic_units, word_weights
from assistant.retrieval.listings import MAX_LISTING_PROVINCES, MIN_TOPIC_COVERAGE, Listings, kind_title
from assistant.retrieval.results import NEAR_TIE_SHARE, Hit, PlanListing, Retrieval, RowGroup, near_ties
from indexer.agencies import AgencyTable
from indexer.records import PlanDocument
from indexer.store import Index, Record

__all__ = [
    "LEXICAL_WEIGHT", "MAX_LISTING_PROVINCES", "MIN_TOPIC_COVERAGE", "NEAR_TIE_SHARE", "RRF_K", "Hit", "PlanListing",
    "PlanSearch", "Retrieval", "RowGroup", "coverage", "fuse_ranks", "kind_title", "near_ties", "record_keys", "topic_units",
]


def _nothing(query: Query) -> Retrieval:
    """Declines and questions about the assistant itself need no rows."""
    return Retrieval(intent=query.intent)


class PlanSearch:
    """Search over one index snapshot."""

    def __init__(self, index: Index, agencies: AgencyTable, lexical_weight: float = LEXICAL_WEIGHT,
                 max_listing_provinces: int = MAX_LISTING_PROVINCES):
        # Words and word pairs of each record: where a question's own words are looked for.
        self._record_keys = keys_by_record(index.records.values())
        self.hybrid = HybridSearch(index, lexical_weight)
        self.listings = Listings(index, agencies, self.keys_of, max_listing_provinces)
        self.index = index
        self.agencies = agencies
        self.plans = list(index.plans.values())
        self.weights = word_weights(index.records.values())
        self._rooms: dict[Intent, Callable[[Query], Retrieval]] = {
            Intent.DECLINE: _nothing,
            Intent.META: _nothing,
            Intent.LISTING: self.listing,
            Intent.COUNT: self.listing,
            Intent.SUM: self.total,
            Intent.LOOKUP: self.lookup,
            Intent.SEARCH: self.lookup,
        }

    def retrieve(self, query: Query) -> Retrieval:
        return self._rooms[query.intent](query)

    def plans_for(self, query: Query) -> list[PlanDocument]:
        # A replaced plan is history: its successor answers (and compose says so).
        plans = [p for p in self.plans if p.current and (not query.provinces or p.province in query.provinces)]
        if query.year and not query.period:
            plans = [p for p in plans if p.year == query.year] or plans
        return plans

    def listing(self, query: Query) -> Retrieval:
        found = self.listings.listing(query, self.plans_for(query))
        if query.listing_topic and not found.ids and not (query.agency or query.period or query.period_kind):
            # No row of the province says the topic in its own words: hybrid search looks for it by
            # meaning, and the answerability check decides whether the plans cover it at all.
            query.intent, query.listing_topic = Intent.SEARCH, []
            query.rule += "; no row names the topic, searched instead"
            return self.lookup(query)
        return found

    def total(self, query: Query) -> Retrieval:
        return self.listings.total(query, self.plans_for(query))

    def lookup(self, query: Query) -> Retrieval:
        found = self.hybrid.lookup(query, self.plans_for(query))
        pinned = [h for h in found.hits if h.pinned]
        ranked = [h for h in found.hits if not h.pinned]
        tied = near_ties([h.score for h in ranked])
        if tied > 1:
            # Rank fusion cannot order these: the record holding more of the question's own words leads.
            words = [t for t in query.topic_terms if t != "|"]
            ranked[:tied] = sorted(ranked[:tied], key=lambda h: -weighted_coverage(words, self.weights, self.keys_of(h.id))[0])
            found.hits = pinned + ranked
        return found

    def search(self, text: str, plans: list[PlanDocument], kinds: tuple[str, ...] = ("row", "prose"),
               k: int = 8, allowed: set[str] | None = None) -> list[Hit]:
        return self.hybrid.search(text, plans, kinds, k, allowed)

    def keys_of(self, record_id: str) -> set[str]:
        """Words and word pairs of a record, accented and folded (what a question's words are found in)."""
        return self._record_keys.get(record_id, set())

    def record(self, record_id: str) -> Record:
        return self.index.get(record_id)
