"""The LangChain face of retrieval: a BaseRetriever whose documents carry, in their metadata, the
grouping a listing needs, so the typed Retrieval can be rebuilt on the other side of the chain."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.contract import AgencyMention, AskedPeriod, Intent, Query
from assistant.retrieval import Hit, PlanListing, PlanSearch, Retrieval, RowGroup
from indexer.store import record_text


def to_documents(retrieval: Retrieval, search: PlanSearch) -> list[Document]:
    documents: list[Document] = []
    for listing in retrieval.listings:
        plan_meta = {
            "plan": listing.plan.id,
            "agency": listing.agency.model_dump() if listing.agency else None,
            "period": listing.period.model_dump(mode="json") if listing.period else None,
            "moved_from": listing.moved_from.model_dump(mode="json") if listing.moved_from else None,
            "notes": listing.notes,
            "broad": retrieval.broad,
        }
        if not listing.ids or retrieval.broad:
            # An empty listing still tells the answer which plan was searched, and its notes; a broad
            # one only how many rows it holds (they are counted, not shown).
            documents.append(Document(page_content=listing.plan.title, metadata={
                "id": None, "group": None, "counted": listing.ids if retrieval.broad else None, **plan_meta}))
            continue
        for group in listing.groups:
            for row_id in group.ids:
                documents.append(Document(
                    id=row_id,
                    page_content=record_text(search.record(row_id)),
                    metadata={"id": row_id, "group": group.key, "group_title": group.title, **plan_meta},
                ))
    for hit in retrieval.hits:
        documents.append(Document(
            id=hit.id,
            page_content=record_text(search.record(hit.id)),
            metadata={"id": hit.id, "hit": hit.model_dump()},
        ))
    return documents


def from_documents(intent: Intent, documents: list[Document], search: PlanSearch) -> Retrieval:
    retrieval = Retrieval(intent=intent)
    listings: dict[tuple[str, str | None], PlanListing] = {}
    for document in documents:
        meta: dict[str, Any] = document.metadata
        retrieval.broad = retrieval.broad or bool(meta.get("broad"))
        if "hit" in meta:
            retrieval.hits.append(Hit.model_validate(meta["hit"]))
            continue
        key = (meta["plan"], meta["agency"]["id"] if meta["agency"] else None)
        listing = listings.get(key)
        if listing is None:
            listing = listings[key] = PlanListing(
                plan=search.index.plans[meta["plan"]],
                agency=AgencyMention.model_validate(meta["agency"]) if meta["agency"] else None,
                period=AskedPeriod.model_validate(meta["period"]) if meta["period"] else None,
                moved_from=AskedPeriod.model_validate(meta["moved_from"]) if meta["moved_from"] else None,
                notes=list(meta["notes"]),
            )
        if meta.get("counted"):
            listing.groups.append(RowGroup(key="all", title="", ids=list(meta["counted"])))
        if meta["group"] is None:
            continue
        if not listing.groups or listing.groups[-1].key != meta["group"]:
            listing.groups.append(RowGroup(key=meta["group"], title=meta["group_title"]))
        listing.groups[-1].ids.append(meta["id"])
    retrieval.listings = list(listings.values())
    return retrieval


class PlanRetriever(BaseRetriever):
    """Listings by exact filtering (all rows), lookups and facts by hybrid search."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    search: PlanSearch

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, understood: Query | None = None
    ) -> list[Document]:
        if understood is None:
            raise ValueError("PlanRetriever needs the understood question: invoke(question, understood=query)")
        return to_documents(self.search.retrieve(understood), self.search)
