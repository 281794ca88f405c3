"""A deterministic fake embedding, registered like a real model (name "fake"), so tests that are
not about retrieval quality build an index in a second instead of a minute.

Loaded in-process by tests/conftest.py and in subprocesses through CCHC_PLUGINS=tests.fake_embedding.
Vectors are hashed folded words and word pairs: similar wording gives similar vectors, so hybrid
search still behaves sensibly, but no test should measure retrieval quality with it.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from indexer.embeddings import register_model
from indexer.vntext import fold

NAME = "fake"
DIMENSIONS = 256
SETTINGS = {"embedding_model": NAME, "plugins": [__name__]}  # get_settings(**SETTINGS) selects it


def _vector(text: str) -> np.ndarray:
    words = [w for w in "".join(c if c.isalnum() else " " for c in fold(text)).split() if w]
    vector = np.zeros(DIMENSIONS, dtype=np.float32)
    for feature in [*words, *(f"{a} {b}" for a, b in zip(words, words[1:]))]:
        digest = hashlib.blake2b(feature.encode(), digest_size=4).digest()
        vector[int.from_bytes(digest[:3], "big") % DIMENSIONS] += 1.0 if digest[3] & 1 else -1.0
    norm = float(np.linalg.norm(vector))
    if norm == 0.0:
        vector[0] = 1.0
        return vector
    return vector / norm


@register_embedding_function
class FakeEmbedding(EmbeddingFunction[Documents]):
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, input: Documents) -> Embeddings:
        self.calls += 1
        return [_vector(text) for text in input]

    def embed_query(self, input: Documents) -> Embeddings:
        return self(input)

    @staticmethod
    def name() -> str:
        return "cchc-test-fake"

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> FakeEmbedding:
        return FakeEmbedding()

    @property
    def identity(self) -> str:
        return f"fake:hashed-words-{DIMENSIONS}"


register_model(NAME, lambda *, query_prefix, passage_prefix, serving: FakeEmbedding())
