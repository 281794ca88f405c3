"""Build or update the index: parse changed documents only, embed new records only, then switch
the `current` pointer to the new build in one step."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from chromadb.api.types import EmbeddingFunction
from pydantic import TypeAdapter

from cchc.errors import CorpusError, DocumentError
from indexer.agencies import AgencyTable
from indexer import leases
from indexer.lexical import LexicalIndex
from indexer.manifest import ManifestIssue, load_manifest
from indexer.parsers import PARSER_VERSION, parse_document
from indexer.parsers.ocr import OcrOptions
from indexer.records import ParseIssue, PlanDocument
from indexer.embed_cache import CacheStats, EmbeddingCache, EmbedPlan, embed_with_cache
from indexer.store import (
    CURRENT_FILE,
    FORMAT_VERSION,
    META_FILE,
    PLANS_FILE,
    IndexMeta,
    Record,
    chroma_metadata,
    current_build,
    embedding_text,
    lexical_text,
    read_meta,
    read_issues,
    read_records,
    write_issues,
    write_records,
)
from indexer.vectors import Vectors

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)
_WRITE_BATCH = 1000  # records per Chroma add (its limit is about 5 000)
_KEEP_BUILDS = 2


@dataclass
class DocumentSummary:
    plan: PlanDocument
    rows: int = 0
    sections: int = 0
    reused: bool = False
    issues: list[ParseIssue] = field(default_factory=list)
    error: str | None = None
    stale: bool = False  # failed this time; its last good records stay in the index

    @property
    def periods_not_understood(self) -> int:
        return sum("Thời hạn" in issue.message for issue in self.issues)

    @property
    def agencies_not_understood(self) -> int:
        return sum("bảng cơ quan" in issue.message for issue in self.issues)


@dataclass
class BuildReport:
    build: Path | None
    changed: bool
    documents: list[DocumentSummary]
    embedded: int = 0  # texts the model read
    removed: int = 0
    cache_hits: int = 0  # texts whose vectors came from the embedding cache
    seconds: float = 0.0
    size_bytes: int = 0
    rebuilt_reason: str | None = None
    manifest_errors: list[ManifestIssue] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.manifest_errors) or any(summary.error for summary in self.documents)

    @property
    def stale(self) -> dict[str, str]:
        """Plans served from their last good records, with why the new version failed."""
        return {s.plan.id: s.error or "" for s in self.documents if s.stale}


@dataclass
class _Previous:
    """The build being replaced, as far as the next build needs it."""

    build: Path | None = None
    meta: IndexMeta | None = None
    records: dict[str, list[Record]] = field(default_factory=dict)  # by plan id
    issues: list[ParseIssue] = field(default_factory=list)
    plans: list[PlanDocument] = field(default_factory=list)

    @property
    def ids(self) -> set[str]:
        return {r.id for records in self.records.values() for r in records}


def fingerprint(plan: PlanDocument, path: Path, agencies_digest: str) -> str:
    digest = hashlib.sha256()
    digest.update(plan.model_dump_json().encode())
    digest.update(PARSER_VERSION.encode())
    digest.update(agencies_digest.encode())
    digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()[:16]


def _folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def _new_build_dir(index_dir: Path) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return index_dir / f"{leases.BUILD_PREFIX}{stamp}"


def _previous(index_dir: Path, identity: str) -> tuple[_Previous, str | None]:
    """The current build, unless it was made with another format or model (then: why not)."""
    build = current_build(index_dir)
    if build is None:
        return _Previous(), None
    meta = read_meta(build)
    if meta.format != FORMAT_VERSION or meta.embedding != identity:
        reason = (
            f"mô hình nhúng đổi từ «{meta.embedding}» sang «{identity}»"
            if meta.embedding != identity
            else f"định dạng chỉ mục đổi từ {meta.format} sang {FORMAT_VERSION}"
        )
        return _Previous(), reason
    by_document: dict[str, list[Record]] = {}
    for record in read_records(build):
        by_document.setdefault(record.document, []).append(record)
    plans = TypeAdapter(list[PlanDocument]).validate_json((build / PLANS_FILE).read_text(encoding="utf-8"))
    return _Previous(build, meta, by_document, read_issues(build), plans), None


def _read_plan(plan: PlanDocument, path: Path, agencies: AgencyTable, previous: _Previous,
               summary: DocumentSummary, ocr: OcrOptions | None = None) -> tuple[str, list[Record]] | None:
    """(fingerprint, records) of one plan: reused, parsed, or — when it fails — its last good ones."""
    try:
        print_ = fingerprint(plan, path, agencies.digest)
        if previous.meta and previous.meta.documents.get(plan.id) == print_:
            summary.reused = True
            summary.issues = [issue for issue in previous.issues if issue.document == plan.id]
            return print_, previous.records.get(plan.id, [])
        parsed = parse_document(plan, path, agencies, ocr)
        summary.issues = parsed.issues
        return print_, [*parsed.rows, *parsed.sections]
    except (DocumentError, OSError) as exc:
        summary.error = str(exc)
    except Exception as exc:  # a parser bug on one file must not cost the other plans
        logger.exception("unexpected error parsing %s", plan.file)
        summary.error = f"{plan.file}: lỗi không lường trước khi đọc ({type(exc).__name__}: {exc})"
    return _keep_last_good(plan.id, previous, summary)


def _keep_last_good(plan_id: str, previous: _Previous, summary: DocumentSummary) -> tuple[str, list[Record]] | None:
    old_print = previous.meta.documents.get(plan_id) if previous.meta else None
    if old_print is None or plan_id not in previous.records:
        return None
    summary.stale = True
    summary.issues = [issue for issue in previous.issues if issue.document == plan_id]
    return old_print, previous.records[plan_id]


def _stale_from_manifest(issues: list[ManifestIssue], plans: list[PlanDocument], previous: _Previous) -> list[DocumentSummary]:
    """Plans whose manifest entry broke: they are still meant to be there, so keep their last build."""
    known = {p.id for p in plans}
    kept = []
    for issue in issues:
        for old in previous.plans:
            if old.id not in known and (old.id == issue.plan_id or old.file == issue.file):
                summary = DocumentSummary(plan=old, error=issue.message)
                if _keep_last_good(old.id, previous, summary):
                    kept.append(summary)
                    known.add(old.id)
    return kept


@dataclass(frozen=True)
class Embedder:
    """How a build turns record texts into vectors: the model, its identity, the embedding cache
    and how many processes share the work."""

    function: EmbeddingFunction
    identity: str
    plan: EmbedPlan = EmbedPlan()
    cache: EmbeddingCache | None = None


def _write_chroma(build: Path, previous: _Previous, records: list[Record], embedder: Embedder, vectors: Vectors,
                  progress: Progress, stats: CacheStats) -> tuple[int, int]:
    """Embedded: copy the previous vectors, then delete, refresh and add. On a server: a new
    collection with every vector, unchanged texts from the cache. Returns (texts the model embedded,
    records removed)."""
    old_ids, new_ids = previous.ids, {r.id for r in records}
    if previous.build and not vectors.remote:
        shutil.copytree(previous.build / "chroma", build / "chroma")
    else:
        old_ids = set()  # nothing copied: every record is written
    to_add = [r for r in records if r.id not in old_ids]
    texts = [embedding_text(r) for r in to_add]
    # Vectors first, then one short write: no Chroma client sits open through minutes of embedding.
    embedded = embed_with_cache(texts, embedder.identity, embedder.function, embedder.plan, embedder.cache,
                                stats, progress=lambda done, total: progress("embed", done, total))
    client = vectors.client(build)
    try:  # one client per build, closed here: Chroma otherwise keeps it (and its files) for the process's life
        collection = client.get_or_create_collection(
            vectors.collection_name(build), embedding_function=embedder.function,
            configuration={"hnsw": {"space": "cosine"}},
        )
        removed = sorted(old_ids - new_ids)
        if removed:
            collection.delete(ids=removed)
        kept = [r for r in records if r.id in old_ids]
        # Same text, but the label or section may have moved: refresh metadata without re-embedding.
        for start in range(0, len(kept), 500):
            batch = kept[start : start + 500]
            collection.update(ids=[r.id for r in batch], metadatas=[chroma_metadata(r) for r in batch])
        for start in range(0, len(to_add), _WRITE_BATCH):
            end = start + _WRITE_BATCH
            collection.add(ids=[r.id for r in to_add[start:end]], embeddings=embedded[start:end],
                           documents=texts[start:end], metadatas=[chroma_metadata(r) for r in to_add[start:end]])
        progress("embed", stats.embedded, stats.embedded)
    finally:
        client.close()
    return stats.embedded, len(previous.ids - new_ids)


def _write_build(build: Path, records: list[Record], summaries: list[DocumentSummary], meta: IndexMeta) -> None:
    LexicalIndex.build({r.id: lexical_text(r) for r in records}).save(build / "lexical")
    write_records(build, records)
    write_issues(build, [issue for summary in summaries for issue in summary.issues])
    served = [s.plan for s in summaries if not s.error or s.stale]
    (build / PLANS_FILE).write_text("[" + ",".join(p.model_dump_json() for p in served) + "]", encoding="utf-8")
    # meta.json last: its presence is what makes a build complete (see indexer.leases).
    (build / META_FILE).write_text(meta.model_dump_json(indent=2), encoding="utf-8")


def _switch(index_dir: Path, build: Path) -> None:
    pointer = index_dir / CURRENT_FILE
    temporary = pointer.with_suffix(f".{build.name}.tmp")
    temporary.write_text(build.name, encoding="utf-8")
    temporary.replace(pointer)  # atomic: readers see the old build or the new one, never half


def _collect(corpus_dir: Path, plans: list[PlanDocument], manifest_errors: list[ManifestIssue], agencies: AgencyTable,
             previous: _Previous, progress: Progress,
             ocr: OcrOptions | None = None) -> tuple[list[DocumentSummary], list[Record], dict[str, str]]:
    """Every plan's records (parsed, reused, or kept from its last good build) and fingerprints."""
    summaries: list[DocumentSummary] = []
    records: list[Record] = []
    fingerprints: dict[str, str] = {}
    for done, plan in enumerate(plans):
        progress("parse", done, len(plans))
        summary = DocumentSummary(plan=plan)
        summaries.append(summary)
        read = _read_plan(plan, corpus_dir / plan.file, agencies, previous, summary, ocr)
        if read is not None:
            fingerprints[plan.id], kept = read
            summary.rows = sum(r.kind == "row" for r in kept)
            summary.sections = sum(r.kind == "prose" for r in kept)
            records.extend(kept)
    for summary in _stale_from_manifest(manifest_errors, plans, previous):
        summaries.append(summary)
        fingerprints[summary.plan.id] = previous.meta.documents[summary.plan.id]  # type: ignore[union-attr]
        records.extend(previous.records[summary.plan.id])
    progress("parse", len(plans), len(plans))
    return summaries, records, fingerprints


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    embedding: EmbeddingFunction,
    identity: str,
    agencies: AgencyTable,
    progress: Progress | None = None,
    vectors: Vectors = Vectors(),
    embed_plan: EmbedPlan = EmbedPlan(),
    cache: EmbeddingCache | None = None,
    ocr: OcrOptions | None = None,
) -> BuildReport:
    """Bring the index in line with the corpus, as one transaction.

    An unchanged corpus leaves everything as it was. A plan still in the manifest whose file now
    fails keeps its last good records and is reported stale; the new build is switched to only
    once it is complete.
    """
    started = dt.datetime.now()
    progress = progress or (lambda stage, done, total: None)
    plans, manifest_errors = load_manifest(corpus_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    leases.remove_orphans(index_dir)
    previous, reason = _previous(index_dir, identity)

    summaries, records, fingerprints = _collect(corpus_dir, plans, manifest_errors, agencies, previous, progress, ocr)
    stale = {s.plan.id: s.error or "" for s in summaries if s.stale}

    def report(**values: object) -> BuildReport:
        return BuildReport(documents=summaries, manifest_errors=manifest_errors, rebuilt_reason=reason,
                           seconds=(dt.datetime.now() - started).total_seconds(), **values)  # type: ignore[arg-type]

    if previous.meta and previous.meta.documents == fingerprints and previous.meta.stale == stale \
            and previous.ids == {r.id for r in records}:
        return report(build=previous.build, changed=False, size_bytes=_folder_size(previous.build))
    if not records:
        raise CorpusError("Không đọc được kế hoạch nào trong danh mục nên chưa có gì để lập chỉ mục. "
                          "Hãy sửa các lỗi in ở trên rồi chạy lại.")

    build = _new_build_dir(index_dir)
    build.mkdir(parents=True)
    lease = leases.acquire(index_dir, build)  # a concurrent build must not take this one for an orphan
    try:
        stats = CacheStats()
        embedder = Embedder(embedding, identity, embed_plan, cache)
        embedded, removed = _write_chroma(build, previous, records, embedder, vectors, progress, stats)
        meta = IndexMeta(parser_version=PARSER_VERSION, embedding=identity, documents=fingerprints, stale=stale,
                         built_at=dt.datetime.now(dt.timezone.utc), rows=sum(r.kind == "row" for r in records),
                         sections=sum(r.kind == "prose" for r in records))
        _write_build(build, records, summaries, meta)
        _switch(index_dir, build)
    finally:
        lease.release()
    leases.prune(index_dir, current=build, keep=_KEEP_BUILDS)
    vectors.drop_unused(leases.builds_present(index_dir))
    return report(build=build, changed=True, embedded=embedded, removed=removed, cache_hits=stats.hits,
                  size_bytes=_folder_size(build))
