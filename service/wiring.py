"""Builds the long-lived objects (agency table, embedding function, index) from Settings.

Nothing here runs at import time; callers decide when models load.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import lru_cache

from cchc.errors import CchcError
from cchc.settings import Settings
from indexer.agencies import AgencyTable
from indexer.build import BuildReport, Progress, build_index
from indexer.embeddings import load_embedding, load_plugins
from indexer.parsers.ocr import OcrOptions
from indexer.periods import quarter_key, roman_or_int
from indexer.records import RowRecord
from indexer.embed_cache import EmbeddingCache, EmbedPlan
from indexer.store import Index, current_build
from indexer.vectors import Vectors, namespace_of
from service.database import connect_engine
from indexer.vntext import fold


@lru_cache(maxsize=1)
def agency_table() -> AgencyTable:
    return AgencyTable.load()


def embedding_for(settings: Settings, serving: bool = False):  # noqa: ANN201 - a Chroma EmbeddingFunction
    load_plugins(settings.plugins)
    return load_embedding(
        settings.embedding_model,
        query_prefix=settings.embedding_query_prefix,
        passage_prefix=settings.embedding_passage_prefix,
        serving=serving,
    )


EMBEDDING_CACHE_DB = "embedding-cache.sqlite3"


def embed_plan(settings: Settings) -> EmbedPlan:
    return EmbedPlan(
        processes=settings.embed_processes or os.cpu_count() or 1, batch=settings.embed_batch,
        model=settings.embedding_model, plugins=tuple(settings.plugins),
        query_prefix=settings.embedding_query_prefix, passage_prefix=settings.embedding_passage_prefix,
    )


def ocr_options(settings: Settings, progress: Callable[[int, int], None] | None = None) -> OcrOptions:
    """How scanned plans are read: cached by file content under the data folder (issue 20);
    `progress(pages done, pages)` after each scanned page."""
    return OcrOptions.from_settings(settings, progress)


def build(settings: Settings, progress: Progress | None = None) -> BuildReport:
    """Build (or bring up to date) the index; in the deployment mode one build at a time across
    workers and machines, and every worker is told of the new build."""
    from service.builds import BuildPointer

    embedding = embedding_for(settings)
    pointer = BuildPointer.for_settings(settings)
    with pointer.building():
        report = build_index(
            corpus_dir=settings.corpus_dir,
            index_dir=settings.index_dir,
            embedding=embedding,
            identity=embedding.identity,
            agencies=agency_table(),
            progress=progress,
            vectors=vectors_for(settings, create=True),
            embed_plan=embed_plan(settings),
            ocr=ocr_options(settings, (lambda done, total: progress("ocr", done, total)) if progress else None),
            cache=EmbeddingCache(connect_engine(settings.database(EMBEDDING_CACHE_DB))),
        )
        if report.build is not None:
            pointer.publish(report.build.name)
    return report


def vectors_for(settings: Settings, create: bool = False) -> Vectors:
    """Where the vectors live: the build folder, or the Chroma server under this index's namespace."""
    if not settings.chroma_url:
        return Vectors()
    return Vectors(settings.chroma_url, namespace_of(settings.index_dir, create=create))


def open_index(settings: Settings, build_name: str | None = None) -> Index:
    """The current build (or the named one), with the embedding function queries need."""
    embedding = embedding_for(settings, serving=True)
    build = settings.index_dir / build_name if build_name else current_build(settings.index_dir)
    return Index(build, embedding, embedding.identity, vectors_for(settings))


def parse_quarter(text: str) -> int:
    """"2022Q4", "Q4/2022", "4/2022", "IV/2022" -> 20224."""
    match = re.fullmatch(r"\s*(\d{4})\s*[qQ]\s*([1-4])\s*|\s*[qQ]?\s*([1-4IViv]+)\s*/\s*(\d{4})\s*", text)
    if not match:
        raise CchcError(f"Không hiểu quý «{text}»; hãy viết dạng 2022Q4 hoặc IV/2022.")
    if match.group(1):
        return quarter_key(int(match.group(1)), int(match.group(2)))
    quarter = roman_or_int(match.group(3))
    if quarter is None or not 1 <= quarter <= 4:
        raise CchcError(f"Không hiểu quý «{text}».")
    return quarter_key(int(match.group(4)), quarter)


def filter_rows(
    index: Index,
    province: str | None = None,
    plan_id: str | None = None,
    agency: str | None = None,
    role: str = "any",
    quarter: str | None = None,
) -> list[RowRecord]:
    """Rows matching every given filter, in document order (for people checking the parse)."""
    rows = index.rows
    if province:
        rows = [r for r in rows if fold(r.province) == fold(province)]
    if plan_id:
        rows = [r for r in rows if r.document == plan_id]
    if agency:
        found = agency_table().find_in_text(agency)
        if not found:
            raise CchcError(f"Không nhận ra cơ quan «{agency}».")
        wanted = {a.id for a in found}

        def names(row: RowRecord) -> set[str]:
            lead = {a.id for a in row.lead} if role in ("chu-tri", "any") else set()
            coordinating = {a.id for a in row.coordinating} if role in ("phoi-hop", "any") else set()
            return lead | coordinating

        rows = [r for r in rows if names(r) & wanted]
    if quarter:
        key = parse_quarter(quarter)
        rows = [r for r in rows if key in r.period.quarters]
    order = {plan: i for i, plan in enumerate(index.plans)}
    return sorted(rows, key=lambda r: (order.get(r.document, 99), r.lines[0]))


def session_store(settings: Settings):  # noqa: ANN201 - assistant.session.Sessions
    """Conversations in Redis when configured (every worker sees them), else in this process."""
    from assistant.session import RedisSessionStore, SessionStore
    from service.shared import redis_client

    client = redis_client(settings)
    if client is None:
        return SessionStore(ttl_seconds=settings.session_ttl_seconds)
    return RedisSessionStore(client, ttl_seconds=settings.session_ttl_seconds)


def build_assistant(settings: Settings, index: Index | None = None, sessions=None):  # noqa: ANN001, ANN201
    """The answer chain over the current index, with the generator the settings choose; pass the
    previous assistant's `sessions` to keep conversations across an index swap."""
    from assistant.chain import Assistant
    from assistant.compose import DeterministicGenerator
    from assistant.retrieval import PlanSearch
    from assistant.understand import QuestionParser

    index = index or open_index(settings)
    plans = list(index.plans.values())
    generator = DeterministicGenerator(index.records, plans)
    if settings.llm_base_url and settings.llm_model:
        from assistant.llm import LLMGenerator, build_llm

        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        model = build_llm(settings.llm_base_url, settings.llm_model, key, settings.llm_timeout_seconds)
        generator = LLMGenerator(model, index.records, plans)
    search = PlanSearch(index, agency_table(), max_listing_provinces=settings.listing_max_provinces)
    return Assistant(
        search=search,
        parser=QuestionParser(agency_table(), plans, max_chars=settings.max_question_chars, weights=search.weights),
        sessions=sessions or session_store(settings),
        generator=generator,
    )


def build_service(settings: Settings, index: Index | None = None, sessions=None):  # noqa: ANN001, ANN201
    """The application API (service.app.PlanService) over the current index."""
    from service.app import PlanService

    return PlanService(build_assistant(settings, index, sessions), agency_table())
