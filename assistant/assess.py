"""The one place that decides whether to answer: structured questions from their slots, lookups and
prose facts from the evidence their retrieval found (assistant.answerability)."""

from __future__ import annotations

import math
from collections.abc import Callable

from assistant.answerability import (
    AnswerabilityModel, Assessment, Basis, Decision, Evidence, WordWeights, informative, unknown_share, weighted_coverage,
)
from assistant.contract import Intent, Query, SpanRole
from assistant.retrieval import Retrieval, near_ties
from assistant.retrieval.hybrid import dense_weight

_FROM_SLOTS = {Intent.LISTING, Intent.COUNT, Intent.SUM, Intent.META}
_DOMAIN_ROLES = {SpanRole.AGENCY, SpanRole.PLACE, SpanRole.PERIOD, SpanRole.SECTION, SpanRole.DOCUMENT,
                 SpanRole.FIELD, SpanRole.ROLE, SpanRole.INTENT, SpanRole.FACT}

# What a follow-up took from the conversation (Query.inherited), as the role its words would have had.
_INHERITED_ROLES = {"provinces": SpanRole.PLACE, "agency": SpanRole.AGENCY, "period": SpanRole.PERIOD,
                    "year": SpanRole.PERIOD, "period_kind": SpanRole.PERIOD, "role": SpanRole.ROLE}


def _domain_spans(query: Query) -> set[tuple[SpanRole, str]]:
    """The distinct things the reading tied to the plans (a run of words of one role counts once),
    and those a follow-up took from the conversation («Còn chỉ số SIPAS?» keeps the province and year)."""
    own = {(span.role, span.value or span.text.lower()) for span in query.reading if span.role in _DOMAIN_ROLES}
    return own | {(_INHERITED_ROLES[field], f"inherited {field}") for field in query.inherited if field in _INHERITED_ROLES}


def content_words(query: Query) -> list[str]:
    """The words nothing in the reading claimed: what the question is about, if anything."""
    return [t for t in query.topic_terms if t != "|"]


def evidence(query: Query, retrieval: Retrieval, weights: WordWeights,
             keys_of: Callable[[str], set[str]]) -> Evidence:
    words = content_words(query)
    hits = [h for h in retrieval.hits if not h.pinned]
    # Word evidence is read from the lexical ranking alone, so a fit without dense features holds
    # whatever embedding model ordered the fused hits.
    lexical = sorted(hits, key=lambda h: -h.lexical_score)
    top_keys = set().union(*(keys_of(h.id) for h in lexical[:3])) if hits else set()
    # The lexically best record; among records a ranking ties (lexical or fused), the one holding most of the words.
    tied = lexical[: near_ties([h.lexical_score for h in lexical])] + hits[: near_ties([h.score for h in hits])]
    best = max(tied, key=lambda h: weighted_coverage(words, weights, keys_of(h.id))[0], default=None)
    best_keys = keys_of(best.id) if best else set()
    coverage, total = weighted_coverage(words, weights, best_keys)
    coverage_top, _ = weighted_coverage(words, weights, top_keys)
    scores = [h.score for h in hits]
    margin = (scores[0] - scores[1]) / scores[0] if len(scores) > 1 and scores[0] > 0 else 1.0
    return Evidence(
        coverage=coverage if hits else 0.0,
        coverage_top=coverage_top if hits else 0.0,
        unknown=unknown_share(words, weights),
        lexical=max((h.lexical_share for h in hits), default=0.0),
        lexical_raw=math.log1p(max((h.lexical_score for h in hits), default=0.0)),
        dense=max((h.dense_similarity for h in hits), default=0.0),
        margin=margin,
        slots=min(1.0, len(_domain_spans(query)) / 3),
        weight=total,
        words=[w for w in informative(words, weights) if not weighted_coverage([w], weights, top_keys)[0]],
    )


class Answerability:
    def __init__(self, model: AnswerabilityModel, weights: WordWeights, keys_of: Callable[[str], set[str]],
                 without_dense: AnswerabilityModel | None = None):
        self.model = model
        # A question typed without diacritics gets low dense similarities whatever it asks (the
        # embedding model reads it as another language): it is judged by the fit without them.
        self.without_dense = without_dense
        self.weights = weights
        self.keys_of = keys_of

    def assess(self, query: Query, retrieval: Retrieval) -> Assessment:
        if query.intent is Intent.DECLINE:
            return Assessment(decision=Decision.DECLINE, basis=Basis.RULE, probability=0.0,
                              reason=query.rule or str(query.decline_reason))
        if query.intent in _FROM_SLOTS:
            return Assessment(decision=Decision.ANSWER, basis=Basis.SLOTS, probability=1.0, reason="answered from its slots")
        if any(h.pinned for h in retrieval.hits):
            return Assessment(decision=Decision.ANSWER, basis=Basis.PINNED, probability=1.0,
                              reason="the row under discussion, or the passage that states the fact asked")
        if not retrieval.hits:
            return Assessment(decision=Decision.DECLINE, basis=Basis.NOTHING, probability=0.0, reason="nothing retrieved")
        unaccented = self.without_dense is not None and dense_weight(query.question) < 1.0
        model = self.without_dense if unaccented else self.model
        return model.decide(evidence(query, retrieval, self.weights, self.keys_of))
