"""Scoring as pure functions over plain values: ids cited in order, gold ids, answer text.

Conventions (also in docs/eval.md):
- a metric that does not apply to a question is None, and averages skip None;
- "declined" means found is false and nothing is cited;
- precision counts a cited id as right when it is gold or acceptable; nothing cited with gold
  expected is precision 0 (a silent system is not precise, it is empty-handed).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict

from indexer.vntext import fold


# -- rows -------------------------------------------------------------------------------------
def row_recall(cited: Sequence[str], gold: Sequence[str]) -> float | None:
    """Share of gold ids that are cited; None without gold."""
    wanted = set(gold)
    if not wanted:
        return None
    return len(wanted & set(cited)) / len(wanted)


def row_precision(cited: Sequence[str], gold: Sequence[str], acceptable: Sequence[str] = ()) -> float | None:
    """Share of distinct cited ids that are gold or acceptable. Nothing cited: None when no gold
    was expected either, else 0."""
    distinct = set(cited)
    if not distinct:
        return None if not gold else 0.0
    return len(distinct & (set(gold) | set(acceptable))) / len(distinct)


def f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    if precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def first_gold_rank(cited: Sequence[str], gold: Sequence[str]) -> int | None:
    """1-based position of the first gold id in citation order; None when none is cited."""
    wanted = set(gold)
    for rank, record_id in enumerate(dict.fromkeys(cited), start=1):
        if record_id in wanted:
            return rank
    return None


def hit_at(cited: Sequence[str], gold: Sequence[str], k: int) -> float | None:
    """1.0 when a gold id is among the first k distinct citations; None without gold."""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if not gold:
        return None
    rank = first_gold_rank(cited, gold)
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(cited: Sequence[str], gold: Sequence[str]) -> float | None:
    if not gold:
        return None
    rank = first_gold_rank(cited, gold)
    return 0.0 if rank is None else 1.0 / rank


def missing(cited: Sequence[str], gold: Sequence[str]) -> list[str]:
    """Gold ids not cited, in gold order."""
    got = set(cited)
    return [record_id for record_id in dict.fromkeys(gold) if record_id not in got]


# -- text -------------------------------------------------------------------------------------
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Accent-, case- and whitespace-insensitive form used to compare facts with answers: folded
    (indexer.vntext.fold, so đ = d) with every space removed, as plans print "196 /KH-UBND" and
    "24 /12/2020" where a fact says "196/KH-UBND"."""
    return _SPACE.sub("", fold(text))


def fact_stated(answer: str, fact: str) -> bool:
    wanted = normalise(fact)
    return bool(wanted) and wanted in normalise(answer)


def facts_missing(answer: str, facts: Sequence[str]) -> list[str]:
    return [fact for fact in facts if not fact_stated(answer, fact)]


def fact_accuracy(answer: str, facts: Sequence[str]) -> float | None:
    """Share of facts stated in the answer; None without facts."""
    if not facts:
        return None
    return 1 - len(facts_missing(answer, facts)) / len(facts)


# -- declining and citations --------------------------------------------------------------------
def declined(found: bool, cited: Sequence[str]) -> bool:
    return not found and not cited


def decline_correct(expect_decline: bool, found: bool, cited: Sequence[str]) -> bool:
    """Declined when it should, answered when it should."""
    return declined(found, cited) == expect_decline


def invalid_citations(cited: Sequence[str], known: set[str] | frozenset[str], retrieved: Iterable[str]) -> list[str]:
    """Cited ids the index does not hold or the system did not retrieve."""
    retrieved = set(retrieved)
    return [record_id for record_id in dict.fromkeys(cited) if record_id not in known or record_id not in retrieved]


def citation_validity(cited: Sequence[str], known: set[str] | frozenset[str], retrieved: Iterable[str]) -> float | None:
    """Share of distinct cited ids that exist in the index and were retrieved; None when nothing is cited."""
    distinct = list(dict.fromkeys(cited))
    if not distinct:
        return None
    return 1 - len(invalid_citations(distinct, known, retrieved)) / len(distinct)


# -- one question ------------------------------------------------------------------------------
class QuestionScore(BaseModel):
    model_config = ConfigDict(frozen=True)

    recall: float | None = None
    precision: float | None = None
    f1: float | None = None
    hit_at_1: float | None = None
    hit_at_5: float | None = None
    reciprocal_rank: float | None = None
    fact_accuracy: float | None = None
    declined: bool = False
    decline_correct: bool = True
    citation_validity: float | None = None
    missing_gold: list[str] = []
    missing_facts: list[str] = []
    invalid_citations: list[str] = []
    passed: bool = False


def score_question(
    *,
    kind: str,
    gold: Sequence[str],
    acceptable: Sequence[str],
    facts: Sequence[str],
    expect_decline: bool,
    answer: str,
    found: bool,
    cited: Sequence[str],
    known: set[str] | frozenset[str],
    retrieved: Iterable[str],
) -> QuestionScore:
    """Every metric of one answer. Row recall/precision/F1 apply to listings; hit@k and MRR to
    lookups and prose; facts, declining and citation validity to every kind.

    Passes when every gold id is cited, every fact is stated and it declines exactly when it should.
    """
    retrieved = list(retrieved)
    listing = kind == "listing"
    ranked = kind in ("lookup", "prose")
    recall = row_recall(cited, gold) if listing else None
    precision = row_precision(cited, gold, acceptable) if listing else None
    gaps = missing(cited, gold)
    facts_gone = facts_missing(answer, facts)
    decline_ok = decline_correct(expect_decline, found, cited)
    return QuestionScore(
        recall=recall,
        precision=precision,
        f1=f1(precision, recall),
        hit_at_1=hit_at(cited, gold, 1) if ranked else None,
        hit_at_5=hit_at(cited, gold, 5) if ranked else None,
        reciprocal_rank=reciprocal_rank(cited, gold) if ranked else None,
        fact_accuracy=fact_accuracy(answer, facts),
        declined=declined(found, cited),
        decline_correct=decline_ok,
        citation_validity=citation_validity(cited, known, retrieved),
        missing_gold=gaps,
        missing_facts=facts_gone,
        invalid_citations=invalid_citations(cited, known, retrieved),
        passed=not gaps and not facts_gone and decline_ok,
    )


# -- aggregates ---------------------------------------------------------------------------------
def mean(values: Iterable[float | None]) -> float | None:
    """Mean of the values that apply (None skipped); None when none applies."""
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between order statistics
    (numpy's default); None for no values."""
    if not 0 <= q <= 100:
        raise ValueError(f"q must be within 0..100, got {q}")
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class Summary(BaseModel):
    """Aggregates over a set of scored answers (one configuration, one slice of questions)."""

    model_config = ConfigDict(frozen=True)

    questions: int
    pass_rate: float | None
    listing_recall: float | None
    listing_precision: float | None
    listing_f1: float | None
    hit_at_1: float | None
    hit_at_5: float | None
    mrr: float | None
    fact_accuracy: float | None
    decline_accuracy: float | None
    citation_validity: float | None
    latency_p50: float | None
    latency_p95: float | None
    latency_p99: float | None
    errors: int = 0


def summarize(scores: Sequence[QuestionScore], latencies: Sequence[float], errors: int = 0) -> Summary:
    return Summary(
        questions=len(scores),
        pass_rate=mean(1.0 if s.passed else 0.0 for s in scores),
        listing_recall=mean(s.recall for s in scores),
        listing_precision=mean(s.precision for s in scores),
        listing_f1=mean(s.f1 for s in scores),
        hit_at_1=mean(s.hit_at_1 for s in scores),
        hit_at_5=mean(s.hit_at_5 for s in scores),
        mrr=mean(s.reciprocal_rank for s in scores),
        fact_accuracy=mean(s.fact_accuracy for s in scores),
        decline_accuracy=mean(1.0 if s.decline_correct else 0.0 for s in scores),
        citation_validity=mean(s.citation_validity for s in scores),
        latency_p50=percentile(latencies, 50),
        latency_p95=percentile(latencies, 95),
        latency_p99=percentile(latencies, 99),
        errors=errors,
    )
