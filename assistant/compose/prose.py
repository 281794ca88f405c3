"""Facts from the plan bodies (the SEARCH intent, and lookups whose answer is a passage): each hit
written as its row, its whole short passage, the sentences stating the fact asked, the extreme
figure a superlative asks for (assistant.figures), or the sentences closest to the question."""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.compose.decline import not_found
from assistant.compose.rows import describe_row, short
from assistant.compose.sources import Chunk, Sources, relevant
from assistant.contract import Query
from assistant.facts import expand_for_search, fact_sentences
from assistant.figures import Superlative, describe, extreme, superlative
from assistant.retrieval import Hit, Retrieval
from indexer.records import ProseSection, RowRecord
from indexer.vntext import fold, tokens

_FIGURE = re.compile(r"\d")
_ASKS_FIGURE = re.compile(r"\b(?:bao nhieu|may|so|ty le|phan tram|xep hang|diem|ngay|khi nao|bao gio|han)\b")
_SENTENCE = re.compile(r"(?<=[.;!?])\s+|\n+")
_WHOLE_PASSAGE = 900  # characters: a pinned passage this short (signer, recipients) is shown whole
_COMMON_TERMS = set(tokens("của các và cho là trong tỉnh kế hoạch năm được có những gì nào ai"))


def compose_prose(query: Query, retrieval: Retrieval, sources: Sources) -> Iterator[Chunk]:
    hits = relevant(retrieval.hits)
    if not hits:
        yield from not_found(query, sources)
        return
    pinned = [h for h in hits if h.pinned]
    asked = superlative(query.question)
    for hit in pinned or _stating_extremes(hits, asked, sources) or hits[:3]:
        record = sources.records[hit.id]
        if isinstance(record, RowRecord):
            yield f"- {describe_row(record, with_lead=True, asked=query.fields)}", [hit.id]
        else:
            yield f"- {_passage(query, hit, record, asked)} [{record.label}]", [hit.id]


def _stating_extremes(hits: list[Hit], asked: Superlative | None, sources: Sources, limit: int = 2) -> list[Hit]:
    """For «which … lowest / rose most», the passages among those found that state such an extreme:
    the passage listing the figures may rank below one that only mentions the index."""
    if asked is None:
        return []
    stating = [h for h in hits if isinstance(record := sources.records[h.id], ProseSection) and extreme(record.text, asked)]
    return stating[:limit]


def _passage(query: Query, hit: Hit, section: ProseSection, asked: Superlative | None) -> str:
    """What of a passage answers the question, without its label."""
    if hit.pinned and len(section.text) <= _WHOLE_PASSAGE:  # a short passage stating the fact asked: whole
        return f"{section.heading}: {short(section.text, _WHOLE_PASSAGE)}"
    if hit.pinned and (pattern := fact_sentences(query.question)):  # every sentence stating it («Căn cứ …»)
        stated = [x.strip() for x in _SENTENCE.split(section.text) if re.search(pattern, x)]
        if stated:
            return " … ".join(short(x, 400) for x in stated)
    if asked and (statement := extreme(section.text, asked)):  # «which field scored lowest»: the item and its figure
        return describe(statement)
    terms = set(tokens(expand_for_search(query.question))) - _COMMON_TERMS
    return best_sentences(section, terms, wants_figure=bool(_ASKS_FIGURE.search(fold(query.question))))


def best_sentences(section: ProseSection, terms: set[str], wants_figure: bool, limit: int = 3) -> str:
    """The sentences sharing most terms with the question; when it asks for a figure or a
    date, sentences that state one come first."""
    sentences = [s.strip() for s in _SENTENCE.split(section.text) if len(s.strip()) > 15]
    if not sentences:
        return short(section.text, 400)

    def score(i: int) -> tuple[int, int]:
        overlap = len(terms & set(tokens(sentences[i])))
        return (overlap + (2 if wants_figure and _FIGURE.search(sentences[i]) else 0), -i)

    best = sorted(range(len(sentences)), key=score, reverse=True)[:limit]
    return " … ".join(short(sentences[i], 400) for i in sorted(best))
