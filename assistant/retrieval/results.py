"""Typed results of retrieval: the scored hits of a search, and a listing's rows grouped by role and
timing, one listing per plan searched."""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.contract import AgencyMention, AskedPeriod, Intent
from indexer.records import PlanDocument


# Two scores this close (the lower at least this share of the higher) are a near tie: the ranking
# cannot tell the records apart, so which words they hold decides, and a lookup shows both.
NEAR_TIE_SHARE = 0.975


def near_ties(scores: list[float]) -> int:
    """How many of the first scores (sorted, highest first) tie with the first."""
    return sum(1 for s in scores if scores and s >= scores[0] * NEAR_TIE_SHARE)


class Hit(BaseModel):
    id: str
    score: float
    lexical_rank: int | None = None
    dense_rank: int | None = None
    lexical_score: float = 0.0
    lexical_share: float = Field(0.0, description="lexical_score over the question's own ceiling (LexicalIndex.ceiling), 0–1")
    dense_similarity: float = 0.0
    pinned: bool = False  # placed first on purpose: the row under discussion, or the passage a fact lives in


class RowGroup(BaseModel):
    key: str  # lead_due, lead_ongoing, lead_open, collective, coordinating, due, lead, all
    title: str
    ids: list[str] = Field(default_factory=list)


class PlanListing(BaseModel):
    plan: PlanDocument
    agency: AgencyMention | None = None
    period: AskedPeriod | None = None
    moved_from: AskedPeriod | None = None  # the asked period, when this plan's year was offered instead
    groups: list[RowGroup] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [row_id for group in self.groups for row_id in group.ids]


class Retrieval(BaseModel):
    intent: Intent  # LISTING, COUNT and SUM carry listings; LOOKUP and SEARCH carry hits
    listings: list[PlanListing] = Field(default_factory=list)
    hits: list[Hit] = Field(default_factory=list)
    broad: bool = Field(False, description="a listing over too many provinces to show: answered with counts per province")

    def by_province(self) -> dict[str, int]:
        """Rows per province, most first (the overview of a broad listing)."""
        counts: dict[str, int] = {}
        for listing in self.listings:
            counts[listing.plan.province] = counts.get(listing.plan.province, 0) + len(listing.ids)
        return dict(sorted(((p, n) for p, n in counts.items() if n), key=lambda item: (-item[1], item[0])))

    @property
    def ids(self) -> list[str]:
        if self.listings:
            return [row_id for listing in self.listings for row_id in listing.ids]
        return [hit.id for hit in self.hits]
