"""Build or update the index: parse changed documents only, embed new records only, then switch
the `current` pointer to the new build in one step."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from chromadb.api.types import EmbeddingFunction

from cchc.errors import DocumentError
from indexer.agencies import AgencyTable
from indexer.lexical import LexicalIndex
from indexer.manifest import load_manifest
from indexer.parsers import PARSER_VERSION, parse_document
from indexer.records import ParseIssue, PlanDocument
from indexer.store import (
    COLLECTION,
    CURRENT_FILE,
    FORMAT_VERSION,
    PLANS_FILE,
    IndexMeta,
    Record,
    chroma_client,
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

Progress = Callable[[str, int, int], None]  # (stage, done, total)
_EMBED_BATCH = 32
_KEEP_BUILDS = 2


@dataclass
class DocumentSummary:
    plan: PlanDocument
    rows: int = 0
    sections: int = 0
    reused: bool = False
    issues: list[ParseIssue] = field(default_factory=list)
    error: str | None = None

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
    embedded: int = 0
    removed: int = 0
    seconds: float = 0.0
    size_bytes: int = 0
    rebuilt_reason: str | None = None
    manifest_errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.manifest_errors) or any(summary.error for summary in self.documents)


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
    return index_dir / f"build-{stamp}"


def _prune(index_dir: Path, keep: Path) -> None:
    builds = sorted(p for p in index_dir.glob("build-*") if p.is_dir() and p != keep)
    for old in builds[: max(0, len(builds) - (_KEEP_BUILDS - 1))]:
        shutil.rmtree(old, ignore_errors=True)


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    embedding: EmbeddingFunction,
    identity: str,
    agencies: AgencyTable,
    progress: Progress | None = None,
) -> BuildReport:
    """Bring the index in line with the corpus; an unchanged corpus leaves everything as it was."""
    started = dt.datetime.now()
    progress = progress or (lambda stage, done, total: None)
    plans, manifest_errors = load_manifest(corpus_dir)
    previous = current_build(index_dir)
    old_meta = read_meta(previous) if previous else None
    reason = None
    if old_meta and (old_meta.format != FORMAT_VERSION or old_meta.embedding != identity):
        reason = (
            f"mô hình nhúng đổi từ «{old_meta.embedding}» sang «{identity}»"
            if old_meta.embedding != identity
            else f"định dạng chỉ mục đổi từ {old_meta.format} sang {FORMAT_VERSION}"
        )
        previous, old_meta = None, None
    old_records = read_records(previous) if previous else []
    old_issues = read_issues(previous) if previous else []
    by_document: dict[str, list[Record]] = {}
    for record in old_records:
        by_document.setdefault(record.document, []).append(record)

    summaries: list[DocumentSummary] = []
    records: list[Record] = []
    fingerprints: dict[str, str] = {}
    for done, plan in enumerate(plans):
        progress("parse", done, len(plans))
        path = corpus_dir / plan.file
        summary = DocumentSummary(plan=plan)
        summaries.append(summary)
        try:
            print_ = fingerprint(plan, path, agencies.digest)
            if old_meta and old_meta.documents.get(plan.id) == print_:
                kept = by_document.get(plan.id, [])
                summary.reused = True
                summary.issues = [issue for issue in old_issues if issue.document == plan.id]
            else:
                parsed = parse_document(plan, path, agencies)
                kept = [*parsed.rows, *parsed.sections]
                summary.issues = parsed.issues
        except (DocumentError, OSError) as exc:
            summary.error = str(exc)
            continue
        fingerprints[plan.id] = print_
        summary.rows = sum(r.kind == "row" for r in kept)
        summary.sections = sum(r.kind == "prose" for r in kept)
        records.extend(kept)
    progress("parse", len(plans), len(plans))

    old_ids = {r.id for r in old_records}
    new_ids = {r.id for r in records}
    unchanged = (
        old_meta is not None
        and old_meta.documents == fingerprints
        and old_ids == new_ids
    )
    if unchanged:
        return BuildReport(
            build=previous,
            changed=False,
            documents=summaries,
            manifest_errors=manifest_errors,
            seconds=(dt.datetime.now() - started).total_seconds(),
            size_bytes=_folder_size(previous) if previous else 0,
        )

    build = _new_build_dir(index_dir)
    build.mkdir(parents=True)
    if previous:
        shutil.copytree(previous / "chroma", build / "chroma")
    collection = chroma_client(build / "chroma").get_or_create_collection(
        COLLECTION, embedding_function=embedding, configuration={"hnsw": {"space": "cosine"}}
    )
    removed = sorted(old_ids - new_ids)
    if removed:
        collection.delete(ids=removed)
    to_embed = [r for r in records if r.id not in old_ids]
    kept_records = [r for r in records if r.id in old_ids]
    if kept_records:
        # Same text, but the label or section may have moved: refresh metadata without re-embedding.
        for start in range(0, len(kept_records), 500):
            batch = kept_records[start : start + 500]
            collection.update(ids=[r.id for r in batch], metadatas=[chroma_metadata(r) for r in batch])
    for start in range(0, len(to_embed), _EMBED_BATCH):
        progress("embed", start, len(to_embed))
        batch = to_embed[start : start + _EMBED_BATCH]
        collection.add(
            ids=[r.id for r in batch],
            documents=[embedding_text(r) for r in batch],
            metadatas=[chroma_metadata(r) for r in batch],
        )
    progress("embed", len(to_embed), len(to_embed))

    LexicalIndex.build({r.id: lexical_text(r) for r in records}).save(build / "lexical")
    write_records(build, records)
    write_issues(build, [issue for summary in summaries for issue in summary.issues])
    ok_plans = [s.plan for s in summaries if not s.error]
    (build / PLANS_FILE).write_text(
        "[" + ",".join(p.model_dump_json() for p in ok_plans) + "]", encoding="utf-8"
    )
    meta = IndexMeta(
        parser_version=PARSER_VERSION,
        embedding=identity,
        documents=fingerprints,
        built_at=dt.datetime.now(dt.timezone.utc),
        rows=sum(r.kind == "row" for r in records),
        sections=sum(r.kind == "prose" for r in records),
    )
    (build / "meta.json").write_text(meta.model_dump_json(indent=2), encoding="utf-8")
    pointer = index_dir / CURRENT_FILE
    temporary = pointer.with_suffix(".tmp")
    temporary.write_text(build.name, encoding="utf-8")
    temporary.replace(pointer)  # atomic: readers see the old build or the new one, never half
    _prune(index_dir, keep=build)
    return BuildReport(
        build=build,
        changed=True,
        documents=summaries,
        embedded=len(to_embed),
        removed=len(removed),
        seconds=(dt.datetime.now() - started).total_seconds(),
        size_bytes=_folder_size(build),
        rebuilt_reason=reason,
        manifest_errors=manifest_errors,
    )

