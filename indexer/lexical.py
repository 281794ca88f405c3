"""Vietnamese lexical search: BM25 (bm25s) over accent-folded syllables, bigrams and expanded
abbreviations, so "thu tuc hanh chinh", "TTHC" and "thủ tục hành chính" all meet."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from indexer.vntext import tokens

IDS_FILE = "ids.json"


@dataclass(frozen=True)
class LexicalHit:
    id: str
    score: float


class LexicalIndex:
    def __init__(self, retriever: bm25s.BM25, ids: list[str]):
        self._retriever = retriever
        self.ids = ids
        self._position = {record_id: i for i, record_id in enumerate(ids)}
        self._vocab = set(retriever.vocab_dict)

    @classmethod
    def build(cls, documents: dict[str, str]) -> "LexicalIndex":
        """documents: record id -> text to index."""
        ids = list(documents)
        retriever = bm25s.BM25()
        retriever.index([tokens(documents[i]) or ["_"] for i in ids], show_progress=False)
        return cls(retriever, ids)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._retriever.save(str(folder), show_progress=False)
        (folder / IDS_FILE).write_text(json.dumps(self.ids), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        retriever = bm25s.BM25.load(str(folder), show_progress=False, verbosity=0)
        ids = json.loads((folder / IDS_FILE).read_text(encoding="utf-8"))
        return cls(retriever, ids)

    def search(self, query: str, k: int = 20, allowed: set[str] | None = None) -> list[LexicalHit]:
        """Best-scoring records for the query, optionally only among `allowed` ids."""
        query_tokens = [t for t in tokens(query) if t in self._vocab]
        if not query_tokens or not self.ids:
            return []
        scores = np.asarray(self._retriever.get_scores(query_tokens), dtype=np.float64)
        if allowed is not None:
            mask = np.zeros(len(self.ids), dtype=bool)
            for record_id in allowed:
                if (position := self._position.get(record_id)) is not None:
                    mask[position] = True
            scores = np.where(mask, scores, 0.0)
        order = np.argsort(-scores)[:k]
        return [LexicalHit(self.ids[i], float(scores[i])) for i in order if scores[i] > 0]

    def ceiling(self, query: str) -> float:
        """The score a record would reach holding each of the query's terms at its best: the sum, over
        the query's known terms, of the highest score that term alone gets. A hit's score over this
        says how much of the question it matches, whatever the question's length."""
        terms = list(dict.fromkeys(t for t in tokens(query) if t in self._vocab))
        return float(sum(np.max(self._retriever.get_scores([term])) for term in terms)) if self.ids else 0.0
