"""Whether the plans answer a lookup or a prose question, decided once, after retrieval, from evidence.

The question's unclaimed words (assistant.reading) are weighed by how informative they are: rare in
general Vietnamese (wordfreq) and rare in the plans. A word like «ghi», «cùng» or «cảm ơn» weighs
about nothing; «blockchain» weighs a lot. A logistic model, fitted on labelled dev questions by
`cchc fit-answerability` (eval/answerability_fit.py), turns the features into a probability; its
coefficients and thresholds live in assistant/data/answerability.json with the date and data they
were fitted on. Structured questions (listings, counts, sums) are answered from their slots and never
pass through here; refusals for safety stay rules (assistant.understand).
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from enum import Enum
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, Field

from indexer.vntext import fold

MODEL_FILE = "data/answerability.json"
# Zipf of the commonest Vietnamese syllables (là, và, có ≈ 7.2); a word at this level says nothing.
_COMMONEST_ZIPF = 7.0
_MIN_GENERAL_WEIGHT = 0.03


class Decision(str, Enum):
    ANSWER = "answer"
    CAVEAT = "caveat"  # middling evidence: answer, and say how sure the match is
    DECLINE = "decline"


class Basis(str, Enum):
    """What a decision rests on."""

    SLOTS = "slots"  # a structured question whose slots resolved (listing, count, sum, plans held)
    PINNED = "pinned"  # the row under discussion, or the passage that states the fact asked
    EVIDENCE = "evidence"  # the fitted model over retrieval evidence
    RULE = "rule"  # a rule declined it before retrieval (safety, province or year not held)
    NOTHING = "nothing"  # nothing was retrieved


class Evidence(BaseModel):
    """The features the decision is made from, kept so a decision can be shown and tested."""

    coverage: float = Field(description="informative weight of the question's own words found in the best record, 0–1")
    coverage_top: float = Field(description="the same over the three best records together")
    unknown: float = Field(description="share of that weight in words no plan contains")
    lexical: float = Field(description="best BM25 score over the question's own ceiling (LexicalIndex.ceiling), 0–1")
    lexical_raw: float = Field(0.0, description="log(1 + best BM25 score)")
    slots: float = Field(0.0, description="share (of 3) of the question's spans read as agency, place, period, section, "
                         "plan, field, role or intent: what ties it to the plans")
    dense: float = Field(description="best dense similarity")
    margin: float = Field(description="lead of the first hit over the second, relative to the first")
    weight: float = Field(0.0, description="total informative weight of the unclaimed words")
    words: list[str] = Field(default_factory=list, description="the unclaimed words that carry weight and that no "
                             "best record holds, in question order: what the plans were not found to say")

    def vector(self, names: list[str]) -> list[float]:
        return [float(getattr(self, name)) for name in names]


class Assessment(BaseModel):
    decision: Decision
    basis: Basis = Basis.EVIDENCE
    probability: float
    reason: str
    evidence: Evidence | None = None


class AnswerabilityModel(BaseModel):
    """A fitted logistic model: standardised features, coefficients, thresholds, and its provenance."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    coefficients: list[float]
    intercept: float
    decline_below: float
    caveat_below: float
    fitted_on: str = Field(description="date the model was fitted")
    data: str = Field(description="which questions it was fitted on")
    confusion: dict[str, dict[str, int]] = Field(default_factory=dict)

    @classmethod
    def load(cls, embedding_model: str, path: Path | None = None) -> AnswerabilityModel:
        """The fit for this embedding model (its dense similarities are its own), else the fit that
        reads no dense feature."""
        fits = AnswerabilityFits.model_validate_json(
            path.read_text(encoding="utf-8") if path else resources.files("assistant").joinpath(MODEL_FILE).read_text(encoding="utf-8"))
        return fits.models.get(embedding_model) or fits.models[ANY_MODEL]

    @classmethod
    def load_without_dense(cls, path: Path | None = None) -> AnswerabilityModel:
        """The fit that reads no dense feature: for questions the embedding model reads poorly."""
        return cls.load(ANY_MODEL, path)

    def probability(self, evidence: Evidence) -> float:
        x = evidence.vector(self.features)
        z = self.intercept + sum(c * (v - m) / (s or 1.0) for c, v, m, s in zip(self.coefficients, x, self.mean, self.scale))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def decide(self, evidence: Evidence) -> Assessment:
        p = self.probability(evidence)
        if p < self.decline_below:
            return Assessment(decision=Decision.DECLINE, probability=p, evidence=evidence,
                              reason=f"evidence too weak (p={p:.2f} < {self.decline_below:.2f})")
        if p < self.caveat_below:
            return Assessment(decision=Decision.CAVEAT, probability=p, evidence=evidence,
                              reason=f"middling evidence (p={p:.2f})")
        return Assessment(decision=Decision.ANSWER, probability=p, evidence=evidence, reason=f"evidence (p={p:.2f})")


ANY_MODEL = "*"  # the fit without dense features, for an embedding model with no fit of its own


class AnswerabilityFits(BaseModel):
    """assistant/data/answerability.json: one fit per embedding model, and one for any model."""

    models: dict[str, AnswerabilityModel]


class WordWeights:
    """How much a word says: rare in general Vietnamese and rare in the plans weighs most."""

    def __init__(self, record_words: list[set[str]], general: dict[str, float]):
        self.records = max(1, len(record_words))
        self.df: Counter[str] = Counter(w for words in record_words for w in words)
        self.general = general

    @classmethod
    def build(cls, record_words: list[set[str]]) -> WordWeights:
        return cls(record_words, general_zipf())

    def known(self, word: str) -> bool:
        return fold(word) in self.df

    def weight(self, word: str) -> float:
        folded = fold(word)
        zipf = self.general.get(folded, 0.0)
        general = max(_MIN_GENERAL_WEIGHT, (_COMMONEST_ZIPF - zipf) / _COMMONEST_ZIPF)
        df = self.df.get(folded, 0)
        in_plans = math.log((self.records + 1) / (df + 1)) / math.log(self.records + 1)
        return general * (0.25 + 0.75 * in_plans)


@functools.cache  # a pure function of the installed word list
def general_zipf() -> dict[str, float]:
    """Zipf frequency of each accent-folded Vietnamese word (wordfreq), so «hoi» weighs like «hỏi»."""
    from wordfreq import get_frequency_dict  # a 0.3 s load: only when an index is opened

    folded: dict[str, float] = {}
    for word, frequency in get_frequency_dict("vi").items():
        for part in word.split():
            key = fold(part)
            folded[key] = folded.get(key, 0.0) + frequency
    return {word: math.log10(frequency * 1e9) for word, frequency in folded.items()}


def weighted_coverage(words: list[str], weights: WordWeights, keys: set[str]) -> tuple[float, float]:
    """(share of the words' weight found in `keys`, total weight)."""
    total = sum(weights.weight(w) for w in words)
    if total <= 0:
        return 1.0, 0.0
    found = sum(weights.weight(w) for w in words if w in keys or fold(w) in keys or f"~{fold(w)}" in keys)
    return found / total, total


def informative(words: list[str], weights: WordWeights, least: float = 0.2) -> list[str]:
    """The words that say what a question is about, dropping those that say little («ghi», «cùng»)."""
    return [w for w in dict.fromkeys(words) if weights.weight(w) >= least]


def unknown_share(words: list[str], weights: WordWeights) -> float:
    total = sum(weights.weight(w) for w in words)
    if total <= 0:
        return 0.0
    return sum(weights.weight(w) for w in words if not weights.known(w)) / total
