"""Words and word pairs of records and of a question's topic, accented and folded: where a
question's own words are looked for (the answerability check, a sum's topic against section titles)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from assistant.answerability import WordWeights
from indexer.records import RowRecord
from indexer.store import Record
from indexer.vntext import ABBREVIATIONS, fold, tokens

_WORDS = re.compile(r"\w+")


def _title_and_text(record: Record) -> str:
    if isinstance(record, RowRecord):
        return f"{record.section} {record.text}"
    return f"{record.heading} {record.text}"


def _key(*words: str) -> str:
    """Words typed with accents are compared accented, otherwise folded ("số" is not "sở")."""
    accented = all(fold(w) != w for w in words)
    return "_".join(words if accented else [fold(w) for w in words])


def record_keys(text: str) -> set[str]:
    """Words and word pairs of a record, accented and folded, plus the folded words its
    abbreviations stand for ("HĐND" states "hội đồng nhân dân")."""
    lowered = unicodedata.normalize("NFC", text.lower())
    words = _WORDS.findall(lowered)
    folded = [fold(w) for w in words]
    pairs = list(zip(words, words[1:]))
    expanded = {f"~{t}" for t in tokens(text) if "_" not in t} - {f"~{w}" for w in folded}
    return set(words) | set(folded) | {_key(a, b) for a, b in pairs} | {f"{fold(a)}_{fold(b)}" for a, b in pairs} | expanded


def keys_by_record(records: Iterable[Record]) -> dict[str, set[str]]:
    """Each record's keys, from its section title (or heading) and text."""
    return {record.id: record_keys(_title_and_text(record)) for record in records}


def word_weights(records: Iterable[Record]) -> WordWeights:
    """How informative each folded word is across the records (rare words weigh more)."""
    texts = [[fold(w) for w in _WORDS.findall(_title_and_text(r).lower())] for r in records]
    return WordWeights.build([set(words) for words in texts])


def topic_units(terms: list[str]) -> tuple[list[str], list[str]]:
    """(word keys, pair keys) of the question's topic; "|" separates runs of adjacent words."""
    words, pairs = [], []
    for run in " ".join(terms).split("|"):
        run_words = run.split()
        words += [_key(w) for w in run_words]
        pairs += [_key(a, b) for a, b in zip(run_words, run_words[1:])]
    return words, pairs


def coverage(words: list[str], pairs: list[str], keys: set[str]) -> float:
    word_share = sum(w in keys or f"~{fold(w)}" in keys for w in words) / len(words)
    if not pairs:
        return word_share
    return (word_share + sum(p in keys for p in pairs) / len(pairs)) / 2


def phrase_coverage(topic: list[str], keys: set[str]) -> float:
    """Share of a listing topic's adjacent word pairs a record holds, abbreviations spelled out
    («cải cách TTHC» is the pairs of «cải cách thủ tục hành chính»): the topic read as a phrase, so
    a record holding its words apart («cải cách … công văn … nhiệm vụ») does not count."""
    words: list[str] = []
    for word in topic:
        words += ABBREVIATIONS[fold(word)].split() if fold(word) in ABBREVIATIONS else [word.lower()]
    units = [_key(a, b) for a, b in zip(words, words[1:])] or [_key(w) for w in words]
    return sum(unit in keys or f"~{unit}" in keys for unit in units) / len(units)
