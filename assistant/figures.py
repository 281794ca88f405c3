"""Superlatives over the figures a plan states in its prose (issue 18, §5 «Figures in prose»).

Officials ask which field, factor or component scored lowest or highest, or rose or fell the most.
The plans answer in sentences such as «“A” đạt 98%; “B” đạt 97,33%; … C đạt 73,75%» or state the
extreme themselves («… giảm nhiều nhất là “C”, giảm 10,83%»). These pure functions read the question
and a section's text and return the extreme item with its figure as printed and its sentence.

The only vocabulary here is grammatical: the adjectives that form a superlative with «nhất», the
verbs that introduce a figure (đạt, tăng, giảm) and the words that make a figure a threshold."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from enum import Enum

from pydantic import BaseModel

from indexer.vntext import fold, nfc


class Direction(str, Enum):
    LOW = "low"
    HIGH = "high"


class Measure(str, Enum):
    LEVEL = "level"
    INCREASE = "increase"
    DECREASE = "decrease"


class Superlative(BaseModel):
    """What a question asks the extreme of: the lowest level, the largest increase…"""

    direction: Direction
    measure: Measure
    phrase: str  # the words of the question that asked it, as typed


class Statement(BaseModel):
    """The extreme item of a section: its label, its figure as printed and the sentence it came from."""

    label: str
    figure: str | None = None  # «73,75%», None when the text names the extreme without a figure
    verb: str | None = None  # the verb that introduced the figure, as printed: «đạt», «tăng», «giảm»
    sentence: str
    excerpt: str  # the part of the sentence that states it, for the answer line
    stated: bool  # the text itself states the superlative (else it was computed from the figures)


_ADJECTIVES = {
    "thấp": Direction.LOW, "ít": Direction.LOW, "kém": Direction.LOW, "nhỏ": Direction.LOW, "yếu": Direction.LOW,
    "cao": Direction.HIGH, "nhiều": Direction.HIGH, "tốt": Direction.HIGH, "lớn": Direction.HIGH,
    "mạnh": Direction.HIGH,
}
_VERBS = {"đạt": Measure.LEVEL, "tăng": Measure.INCREASE, "giảm": Measure.DECREASE}
_CHANGE_VERBS = {Measure.INCREASE: "tăng", Measure.DECREASE: "giảm"}
_THRESHOLDS = ("trên", "dưới", "từ", "hơn", "ít nhất", "tối thiểu", "tối đa", "không dưới", "không quá", "vượt")
_TRAILING_THRESHOLD = ("trở lên", "trở xuống")
# How far before the superlative a tăng/giảm still makes it a change («tăng điểm nhiều nhất»).
_TEXT_WINDOW = 3
_QUESTION_BEFORE, _QUESTION_AFTER = 5, 3


def _alternatives(words: Iterable[str], folded: bool) -> str:
    forms = {fold(w) if folded else w for w in words}
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(forms, key=len, reverse=True))


def _superlative_pattern(folded: bool) -> re.Pattern[str]:
    # «ít nhất 90%» is a threshold, not a superlative: no number may follow.
    return re.compile(rf"\b({_alternatives(_ADJECTIVES, folded)})\s+{'nhat' if folded else 'nhất'}\b(?!\s*\d)")


def _figure_pattern(folded: bool) -> re.Pattern[str]:
    return re.compile(
        rf"\b(?P<verb>{_alternatives(_VERBS, folded)})\s+(?:(?P<threshold>{_alternatives(_THRESHOLDS, folded)})\s+)?"
        r"(?P<number>\d+(?:[.,]\d+)*)(?P<unit>\s*%|/\d+\s*\w+|\s*điểm)?"
        rf"(?P<after>\s+(?:{_alternatives(_TRAILING_THRESHOLD, folded)})\b)?")


_QUESTION_SUPERLATIVE = _superlative_pattern(folded=True)
_TEXT_SUPERLATIVE = _superlative_pattern(folded=False)
_FIGURE = _figure_pattern(folded=False)
_WORD = re.compile(r"\w+")
_QUOTE = re.compile(r"“[^”]*”|\"[^\"]*\"")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_TERMINAL = ".!?;:"
_EXCERPT = 260  # characters of the source sentence an answer line quotes
_LABEL_STRIP = " \t()“”\"',.;:-–"


def _measure_near(words: list[str], verbs: dict[str, Measure]) -> Measure | None:
    found = [verbs[w] for w in words if w in verbs]
    return found[-1] if found else None


_ADJECTIVES_FOLDED = {fold(word): direction for word, direction in _ADJECTIVES.items()}
_CHANGES = {word: measure for word, measure in _VERBS.items() if measure is not Measure.LEVEL}
_CHANGES_FOLDED = {fold(word): measure for word, measure in _CHANGES.items()}


def _folded(text: str) -> str:
    # Folded with the same offsets as the text (one character for one), so matches slice what was typed.
    return "".join(low if len(low := fold(ch)) == 1 else ch for ch in text)


def superlative(question: str) -> Superlative | None:
    """The superlative a question asks, accents or not: «lĩnh vực nào tăng điểm nhiều nhất» is the
    largest increase; «thấp nhất» alone is the lowest level."""
    question = nfc(question)
    folded = _folded(question)
    match = _QUESTION_SUPERLATIVE.search(folded)
    if match is None:
        return None
    before = _WORD.findall(folded[: match.start()])[-_QUESTION_BEFORE:]
    after = _WORD.findall(folded[match.end():])[:_QUESTION_AFTER]
    measure = _measure_near(before, _CHANGES_FOLDED) or _measure_near(after, _CHANGES_FOLDED) or Measure.LEVEL
    return Superlative(direction=_ADJECTIVES_FOLDED[match.group(1)], measure=measure,
                       phrase=question[match.start(): match.end()])


# -- reading the text ---------------------------------------------------------------------------
def sentences(text: str) -> list[str]:
    """The sentences of a section. A line that ends without terminal punctuation is continued by the
    next one: the plans break paragraphs mid-sentence («… qua các năm\\n\\nkhảo sát …»)."""
    merged: list[str] = []
    for line in (part.strip() for part in text.split("\n")):
        if not line:
            continue
        if merged and merged[-1][-1] not in _TERMINAL:
            merged[-1] += " " + line
        else:
            merged.append(line)
    return [s.strip() for paragraph in merged for s in _SENTENCE_END.split(paragraph) if s.strip()]


def _lower(text: str) -> str:
    # Lower-cased with the same offsets as the text, so matches slice the printed text.
    return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)


def _clauses(sentence: str, separators: str) -> list[tuple[int, int]]:
    """Spans of the sentence between separators that are outside quotes."""
    pattern = re.compile(separators)
    quoted = [m.span() for m in _QUOTE.finditer(sentence)]
    cuts = [m for m in pattern.finditer(sentence) if not any(a <= m.start() < b for a, b in quoted)]
    starts = [0] + [m.end() for m in cuts]
    ends = [m.start() for m in cuts] + [len(sentence)]
    return list(zip(starts, ends))


_PIECES = r";"
_CLAUSES = r"[;:]|,\s|\s+và\s+"


def _within(spans: list[tuple[int, int]], at: int) -> tuple[int, int]:
    return next(((a, b) for a, b in spans if a <= at <= b), (0, spans[-1][1]))


def _clean(label: str) -> str:
    return " ".join(label.split()).strip(_LABEL_STRIP)


def _figures(sentence: str, measure: Measure) -> list[re.Match[str]]:
    """The figures the measure's verb introduces, thresholds («đạt trên 80%», «từ 90% trở lên») left out."""
    verb = next(word for word, m in _VERBS.items() if m is measure)
    return [m for m in _FIGURE.finditer(_lower(sentence))
            if m.group("verb") == verb and not m.group("threshold") and not m.group("after")]


def _excerpt(sentence: str, anchor: int, limit: int = _EXCERPT) -> str:
    """The part of the sentence between semicolons that holds the anchor, cut around it when long."""
    start, end = _within(_clauses(sentence, _PIECES), anchor)
    if end - start > limit:
        start = max(start, min(anchor - limit // 2, end - limit))
        end = min(end, start + limit)
    text = _clean_edges(sentence[start:end])
    return ("…" if start > 0 else "") + text + ("…" if end < len(sentence.rstrip(".")) else "")


def _clean_edges(text: str) -> str:
    words = text.split()
    return " ".join(words).strip(" ;,")


def _statement(sentence: str, label: str, figure: re.Match[str] | None, anchor: int, stated: bool) -> Statement:
    if figure is None:
        return Statement(label=label, sentence=sentence, excerpt=_excerpt(sentence, anchor), stated=stated)
    end = figure.end("unit") if figure.group("unit") else figure.end("number")
    return Statement(label=label, figure=sentence[figure.start("number"): end], verb=sentence[figure.start("verb"): figure.end("verb")],
                     sentence=sentence, excerpt=_excerpt(sentence, figure.start()), stated=stated)


# -- a superlative the text states ----------------------------------------------------------------
def _stated_measure(lowered: str, at: int) -> Measure:
    before = _WORD.findall(lowered[:at])[-_TEXT_WINDOW:]
    return _measure_near(before, _CHANGES) or Measure.LEVEL


def _stated_label(sentence: str, piece: tuple[int, int], at: tuple[int, int]) -> str:
    quotes = [m for m in _QUOTE.finditer(sentence) if piece[0] <= m.start() and m.end() <= piece[1]]
    if quotes:
        def gap(m: re.Match[str]) -> int:
            return at[0] - m.end() if m.end() <= at[0] else m.start() - at[1]
        return _clean(min(quotes, key=gap).group())
    start, end = _within(_clauses(sentence, _CLAUSES), at[0])
    return _clean(sentence[start: at[0]]) or _clean(sentence[at[1]: end])


def _stated(sentence: str, asked: Superlative) -> Statement | None:
    lowered = _lower(sentence)
    for match in _TEXT_SUPERLATIVE.finditer(lowered):
        if _ADJECTIVES[match.group(1)] is not asked.direction or _stated_measure(lowered, match.start()) is not asked.measure:
            continue
        piece = _within(_clauses(sentence, _PIECES), match.start())
        figures = [f for f in _figures(sentence, asked.measure) if piece[0] <= f.start() and f.end() <= piece[1]]
        figure = min(figures, key=lambda f: abs(f.start() - match.start()), default=None)
        label = _stated_label(sentence, piece, match.span())
        if label:
            return _statement(sentence, label, figure, match.start(), stated=True)
    return None


# -- a superlative computed from the figures -------------------------------------------------------
def _value(number: str) -> float:
    """«10.300» -> 10300, «73,75» -> 73.75: the plans print a dot between thousands, a comma before decimals."""
    return float(number.replace(".", "").replace(",", "."))


def _pair_label(sentence: str, figure: re.Match[str]) -> str:
    """The quoted item before the verb in its clause, else the clause's words before the verb."""
    start, end = _within(_clauses(sentence, _CLAUSES), figure.start())
    quotes = [m for m in _QUOTE.finditer(sentence) if start <= m.start() and m.end() <= figure.start()]
    if quotes:
        return _clean(quotes[-1].group())
    earlier = [m for m in _FIGURE.finditer(_lower(sentence)) if start <= m.start() < figure.start()]
    own = _clean(sentence[earlier[-1].end() if earlier else start: figure.start()])
    if any(ch.isalpha() for ch in own):
        return own
    return _clean(sentence[start: earlier[0].start()]) if earlier else ""  # «X đạt 85% (tăng 2%)»: X rose


def _unit(figure: re.Match[str]) -> str:
    return " ".join((figure.group("unit") or "").split())


def _computed(text: str, asked: Superlative) -> Statement | None:
    pairs = [(sentence, figure, label) for sentence in sentences(text) for figure in _figures(sentence, asked.measure)
             if (label := _pair_label(sentence, figure))]
    units = Counter(_unit(figure) for _, figure, _ in pairs)
    if not units:
        return None
    unit = units.most_common(1)[0][0]  # «85,11/100 điểm» does not compete with percentages
    comparable = [p for p in pairs if _unit(p[1]) == unit]
    # The items compared are those listed two or more to a sentence; a lone figure is a total
    # («Chỉ số SIPAS đạt 84,40% (tăng 3,1%)»), unless the text gives every item its own sentence.
    per_sentence = Counter(sentence for sentence, _, _ in comparable)
    listed = [p for p in comparable if per_sentence[p[0]] > 1]
    candidates = listed or comparable
    if len(candidates) < 2:  # one figure is no superlative
        return None
    pick = min if asked.direction is Direction.LOW else max
    sentence, figure, label = pick(candidates, key=lambda p: _value(p[1].group("number")))
    return _statement(sentence, label, figure, figure.start(), stated=False)


def extreme(section_text: str, asked: Superlative) -> Statement | None:
    """The item of a section at the asked extreme: a sentence stating that superlative itself
    (one with a figure first), else the min or max of the figures the measure's verb introduces."""
    stated = [s for s in (_stated(sentence, asked) for sentence in sentences(section_text)) if s]
    if stated:
        return next((s for s in stated if s.figure), stated[0])
    return _computed(section_text, asked)


def describe(statement: Statement) -> str:
    """«“Cải cách tài chính công”: đạt 73,75% (trích: «…»)», the line an answer shows."""
    figure = f": {statement.verb} {statement.figure}" if statement.figure else ""
    return f"“{statement.label}”{figure} (trích: «{statement.excerpt}»)"
