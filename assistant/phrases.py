"""The declarative phrase table (assistant/data/phrases.toml): how questions word what they ask.

Matching is per word: a question word written with diacritics must equal the phrase's word, a word
typed without any is compared folded. So "số" (number) never reads as "sở" (department), while
"so noi vu" typed on a phone still does.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from importlib import resources

from indexer.vntext import fold

GAP = "…"
MAX_GAP = 6
_WORD = re.compile(r"\[?\w+\]?")


@dataclass(frozen=True)
class Word:
    text: str  # lowercase NFC as typed
    folded: str
    start: int
    end: int

    @property
    def accented(self) -> bool:
        return self.text != self.folded


@dataclass(frozen=True)
class Phrase:
    slot: str
    value: str
    words: tuple[str, ...]  # lowercase NFC, GAP for a gap

    @property
    def rule(self) -> str:
        return f"{self.slot}={self.value}: «{' '.join(self.words)}»"


@dataclass(frozen=True)
class Match:
    phrase: Phrase
    start: int  # word index, inclusive
    end: int  # word index, exclusive


def words_of(text: str) -> list[Word]:
    lowered = unicodedata.normalize("NFC", text.lower())
    return [Word(m.group(), fold(m.group()), m.start(), m.end()) for m in _WORD.finditer(lowered)]


def same_word(typed: Word, wanted: str) -> bool:
    return typed.text == wanted or (not typed.accented and typed.folded == fold(wanted))


class PhraseTable:
    def __init__(self, phrases: list[Phrase]):
        self.phrases = phrases
        self._by_first: dict[str, list[Phrase]] = {}
        for phrase in phrases:
            self._by_first.setdefault(fold(phrase.words[0]), []).append(phrase)

    @classmethod
    def load(cls, text: str | None = None) -> PhraseTable:
        if text is None:
            text = resources.files("assistant").joinpath("data/phrases.toml").read_text(encoding="utf-8")
        data = tomllib.loads(text)
        phrases = []
        for entry in data.get("phrase", []):
            for said in entry["says"]:
                words = tuple(w if w == GAP else w for w in unicodedata.normalize("NFC", said.lower()).split())
                if not words or words[0] == GAP:
                    raise ValueError(f"phrase {said!r} of {entry['slot']}={entry['value']} must start with a word")
                phrases.append(Phrase(entry["slot"], entry["value"], words))
        return cls(phrases)

    def _match_at(self, words: list[Word], i: int, pattern: tuple[str, ...]) -> int | None:
        """End index of `pattern` matched from word i, or None."""
        if not pattern:
            return i
        head, rest = pattern[0], pattern[1:]
        if head == GAP:
            for skip in range(0, MAX_GAP + 1):
                end = self._match_at(words, i + skip, rest)
                if end is not None:
                    return end
            return None
        if i < len(words) and same_word(words[i], head):
            return self._match_at(words, i + 1, rest)
        return None

    def matches(self, words: list[Word]) -> list[Match]:
        found = []
        for i, word in enumerate(words):
            for phrase in self._by_first.get(word.folded, ()):
                end = self._match_at(words, i, phrase.words)
                if end is not None:
                    found.append(Match(phrase, i, end))
        return found


@dataclass
class Reading:
    """The phrases one question matched, by slot."""

    words: list[Word]
    found: list[Match]

    def values(self, slot: str) -> list[str]:
        ordered = sorted((m for m in self.found if m.phrase.slot == slot), key=lambda m: m.start)
        return list(dict.fromkeys(m.phrase.value for m in ordered))

    def has(self, slot: str, value: str | None = None) -> bool:
        return any(m.phrase.slot == slot and (value is None or m.phrase.value == value) for m in self.found)

    def rule(self, slot: str, value: str) -> str:
        return next((m.phrase.rule for m in self.found if m.phrase.slot == slot and m.phrase.value == value), "")

    def covered(self, slots: set[str]) -> set[int]:
        """Word indexes taken by phrases of these slots."""
        return {i for m in self.found if m.phrase.slot in slots for i in range(m.start, m.end)}


def read(table: PhraseTable, text: str) -> Reading:
    words = words_of(text)
    return Reading(words, table.matches(words))
