"""One reading of a question: every word gets exactly one role, from recognisers that claim the spans
they use (agencies, places, periods, sections, documents, the phrase table's slots, chat words).

A word nothing claims is *unclaimed*: it may say what the question is about, and its weight is
judged from evidence (assistant.answerability), never from a list. `Query.reading` keeps every span
with its role, so a reading can be shown («Đã hiểu») and tested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.contract import ReadSpan, SpanRole
from assistant.periods import period_spans
from assistant.phrases import Reading as PhraseReading
from assistant.phrases import Word

Claim = tuple[int, int, SpanRole, str]  # character start, end, role, value


# Which role a phrase-table slot claims its words for (assistant/data/phrases.toml).
SLOT_ROLES = {
    "field": SpanRole.FIELD, "role": SpanRole.ROLE, "asks": SpanRole.INTENT, "kind": SpanRole.PERIOD,
    "refuse": SpanRole.INTENT, "refer": SpanRole.REFERENCE, "fact": SpanRole.FACT, "generic": SpanRole.FUNCTION,
    "chat": SpanRole.CHAT,
}
# Closed classes, folded: how a plan or a part of it is named.
_SECTION = re.compile(r"\b(?:muc|phan)\s+[ivx]+(?:\.[a-z0-9]+)*\b")
# The plan itself («KH CCHC», «kế hoạch số 7860», «KH 2022», «phụ lục»); «KH ứng dụng CNTT», a plan that a
# task produces, and a decision or decree a question names are what it is about, not the plan.
_DOCUMENT = re.compile(r"\bphu luc\b|\b(?:kh|ke hoach)(?=\s*(?:$|[?.,;:!]|cchc|cai cach|so\s*(?:\d|may\b|bao nhieu|hieu|[?.,]|$)|\d|nang cao|nay|cua tinh|nam\b))"
                       r"(?:\s+(?:so\s+)?\d+(?:/[\w-]+)*)?")


def document_spans(folded: str) -> list[re.Match[str]]:
    """Where the question names the plan itself («KH CCHC», «kế hoạch số 7860», «phụ lục»)."""
    return list(_DOCUMENT.finditer(folded))


@dataclass(frozen=True)
class QuestionReading:
    text: str
    words: list[Word]
    spans: list[ReadSpan]

    def unclaimed_runs(self) -> list[str]:
        """Unclaimed words as typed (lowercase), runs of adjacent ones separated by "|"."""
        terms: list[str] = []
        for span in self.spans:
            if span.role is SpanRole.UNCLAIMED and len(span.text) >= 2:
                terms.append(span.text.lower())
            elif terms and terms[-1] != "|":
                terms.append("|")
        while terms and terms[-1] == "|":
            terms.pop()
        return terms

    def shown(self) -> str:
        """«sở nội vụ[agency] quý ba[period] …»: the reading, for logs and tests."""
        return " ".join(f"{s.text}[{s.role.value}]" for s in self.spans)


def phrase_claims(phrases: PhraseReading) -> list[Claim]:
    """The phrase table's matches, longest first: «chi phí» claims «chi» before «chị» could."""
    claims = []
    for match in sorted(phrases.found, key=lambda m: m.start - m.end):
        first, last = phrases.words[match.start], phrases.words[match.end - 1]
        claims.append((first.start, last.end, SLOT_ROLES.get(match.phrase.slot, SpanRole.INTENT), match.phrase.value))
    return claims


def grammar_claims(folded: str) -> list[Claim]:
    """Periods, sections and documents, found in the folded question (same offsets as the question)."""
    claims: list[Claim] = [(s, e, SpanRole.PERIOD, "") for s, e in period_spans(folded)]
    claims += [(m.start(), m.end(), SpanRole.SECTION, "") for m in _SECTION.finditer(folded)]
    claims += [(m.start(), m.end(), SpanRole.DOCUMENT, "") for m in document_spans(folded)]
    return claims


def assemble(text: str, words: list[Word], claims: list[Claim], function_words: set[str]) -> QuestionReading:
    """Each word takes the role of the first claim (in the order given) that covers it; grammar
    words are FUNCTION, digits NUMBER, and what is left UNCLAIMED."""
    spans = []
    for word in words:
        role, value = SpanRole.UNCLAIMED, ""
        for start, end, claimed, claimed_value in claims:
            if start <= word.start < end:
                role, value = claimed, claimed_value
                break
        else:
            if word.folded.isdigit():
                role = SpanRole.NUMBER
            elif word.text in function_words or (not word.accented and word.folded in function_words):
                role = SpanRole.FUNCTION
        spans.append(ReadSpan(start=word.start, end=word.end, text=text[word.start:word.end], role=role, value=value))
    return QuestionReading(text=text, words=words, spans=spans)

