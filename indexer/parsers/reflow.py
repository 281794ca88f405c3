"""A table cell's text from positioned words (a PDF's text layer, or OCR): lines, then paragraphs.

A PDF keeps only where each line ended, not why. A line that wrapped ran out of room: the next
line's first word did not fit after it. A line that ended with room to spare for that word was
ended by its author: a new paragraph (a second agency, a bullet). Paragraphs become <p> items, as
the Word and Excel readers give them, so a cell listing «Sở Nội vụ …» then «Các sở, ban, ngành …»
keeps both assignees apart.
"""

from __future__ import annotations

from dataclasses import dataclass

_SAME_LINE = 0.5  # share of a word's height two words' tops may differ by and sit on one line
_SPACE = 0.3  # a space's width, as a share of the text height
# Room a wrapped line may leave unused (share of the text height): rounding, justification, an
# inferred padding. A sentence cut in two misleads more than two paragraphs run together.
_SLACK = 0.5


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top


def reading_lines(words: list[Word]) -> list[list[Word]]:
    """Words in lines, top to bottom, each line left to right."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        if lines and abs(word.top - lines[-1][0].top) < _SAME_LINE * max(word.height, lines[-1][0].height, 1e-6):
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def _wrapped(line: list[Word], following: list[Word], right: float) -> bool:
    """Whether `line` ended because the next line's first word did not fit after it."""
    height = max(w.height for w in line)
    room = right - line[-1].x1
    needed = (following[0].x1 - following[0].x0) + _SPACE * height
    return room < needed + _SLACK * height


def paragraphs(words: list[Word], left: float, right: float) -> list[str]:
    """The cell's paragraphs; `left` and `right` are the cell's edges (its padding is inferred)."""
    lines = reading_lines(words)
    if not lines:
        return []
    padding = max(0.0, min(line[0].x0 for line in lines) - left)
    limit = right - padding
    found = [[lines[0]]]
    for line, following in zip(lines, lines[1:]):
        if _wrapped(line, following, limit):
            found[-1].append(following)
        else:
            found.append([following])
    return [" ".join(w.text for line in paragraph for w in line) for paragraph in found]


def cell_text(words: list[Word], left: float, right: float) -> str:
    """One paragraph as plain text; several as <p> items."""
    found = paragraphs(words, left, right)
    return "".join(f"<p>{text}</p>" for text in found) if len(found) > 1 else "".join(found)
