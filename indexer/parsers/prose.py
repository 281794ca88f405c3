"""Prose sections of a plan body: numbered headings (I., 1., 2.1.), markdown headings, the
recipients list and the signature block."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from indexer.records import PlanDocument, ProseSection
from indexer.vntext import squash, strip_html

_ROMAN = re.compile(r"^(?P<code>[IVX]+)\.\s+(?P<title>\S.*)$")
_NUMBER = re.compile(r"^(?P<code>\d+(?:\.\d+)?)\.\s+(?P<title>\S.*)$")
_SIGNATURE = re.compile(r"^(TM\.|KT\.|CHỦ TỊCH|PHÓ CHỦ TỊCH)")
_ROMAN_PREFIX = re.compile(r"^[IVX]+\.\s*")
_MAX_CHARS = 1800  # long sections are split so each passage stays focused


def clean_line(line: str) -> str:
    """Drop markdown heading marks, bold/italic stars and HTML tags."""
    line = re.sub(r"^#+\s*", "", line.strip())
    # Markdown emphasis stars carry no meaning here; "*hinh*"-style OCR leftovers neither.
    line = line.replace("*", "").strip()
    return squash(strip_html(line))


def _short(title: str, limit: int = 90) -> str:
    number = re.match(r"^(?:\d+(?:\.\d+)*\.|[IVX]+\.)\s+", title)
    prefix = number.group(0) if number else ""
    sentence = prefix + re.split(r"(?<=\.)\s", title[len(prefix):], maxsplit=1)[0]
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rsplit(" ", 1)[0] + "…"


@dataclass
class _Open:
    path: list[tuple[str, str]]  # (code, heading) per level
    first_line: int
    last_line: int = 0
    lines: list[str] = field(default_factory=list)


class _ProseBuilder:
    def __init__(self, plan: PlanDocument):
        self.plan = plan
        self.path: list[tuple[str, str]] = []
        self.current: _Open | None = None
        self.done: list[_Open] = []

    def open(self, level: int, code: str, heading: str, line_number: int) -> None:
        self.close()
        self.path = self.path[: level - 1] + [(code, heading)]
        self.current = _Open(path=list(self.path), first_line=line_number)

    def add(self, text: str, line_number: int) -> None:
        if self.current is None:
            self.open(1, "", "Mở đầu", line_number)
        assert self.current is not None
        self.current.lines.append(text)
        self.current.last_line = line_number

    def close(self) -> None:
        if self.current and self.current.lines:
            self.done.append(self.current)
        self.current = None


def _heading(line: str) -> tuple[int, str, str] | None:
    """(level, code, heading) when the line opens a section."""
    if match := _ROMAN.match(line):
        return 1, match["code"], line
    if match := _NUMBER.match(line):
        return (2 if "." not in match["code"] else 3), match["code"], _short(line)
    if re.match(r"^Nơi nhận\b", line):
        return 1, "", "Nơi nhận"
    if re.fullmatch(r"(?i)phụ lục", line):
        return 1, "", "Phụ lục"
    if _SIGNATURE.match(line):
        return 1, "", "Người ký"
    letters = [ch for ch in line if ch.isalpha()]
    if letters and len(line) < 160 and all(ch.isupper() for ch in letters) and len(letters) > 3:
        return 1, "", line
    return None


def _is_person_name(line: str) -> bool:
    words = line.split()
    return 2 <= len(words) <= 5 and all(word[0].isupper() and not word.isupper() for word in words)


def parse_prose(plan: PlanDocument, lines: list[str], skip: range | None = None) -> list[ProseSection]:
    """Sections from every line outside the task table (`skip`)."""
    builder = _ProseBuilder(plan)
    signature: list[str] | None = None  # lines of an open signature block
    for index, raw in enumerate(lines):
        if skip is not None and index in skip:
            builder.close()
            signature = None
            continue
        line = clean_line(raw)
        if not line:
            continue
        number = index + 1
        if signature is not None and (
            _SIGNATURE.match(line) or (_is_person_name(line) and not any(map(_is_person_name, signature)))
        ):
            signature.append(line)
            builder.add(line, number)
            continue
        signature = None
        heading = _heading(line)
        if heading is None:
            builder.add(line, number)
            continue
        level, code, title = heading
        builder.open(level, code, title, number)
        if title == "Người ký":
            signature = []
        # A numbered item is often a whole duty in one line ("1. Sở Nội vụ theo dõi, đôn đốc."):
        # it names its section and is its text, or the duty would be lost.
        if title != line.rstrip(":") or title == "Người ký" or (level > 1 and line.endswith(".")):
            builder.add(line, number)
    builder.close()
    return _sections(plan, builder.done)


def _sections(plan: PlanDocument, opened: list[_Open]) -> list[ProseSection]:
    sections: list[ProseSection] = []
    seen: set[str] = set()
    # Plans sometimes number two parts alike (Hưng Yên has two "II."): name the part in the label.
    tops_by_code: dict[str, set[str]] = {}
    for part in opened:
        if part.path[0][0]:
            tops_by_code.setdefault(part.path[0][0], set()).add(part.path[0][1])
    for part in opened:
        heading = part.path[-1][1]
        path = " › ".join(h for _, h in part.path)
        codes_in_path = [c for c, _ in part.path if c]
        # "IV" then "2" then "2.1" reads as IV.2.1: a code that repeats its parent replaces it.
        codes = ".".join(
            c for i, c in enumerate(codes_in_path)
            if not (i + 1 < len(codes_in_path) and codes_in_path[i + 1].startswith(c + "."))
        )
        label = f"{plan.short_title}, mục {codes}" if codes else f"{plan.short_title}, {_short(heading, 50)}"
        top_code, top_heading = part.path[0]
        if codes and len(tops_by_code.get(top_code, ())) > 1:
            part_name = _short(_ROMAN_PREFIX.sub("", top_heading), 40)
            label += f" ({part_name})"
        chunks, chunk = [], ""
        for text in part.lines:
            if chunk and len(chunk) + len(text) > _MAX_CHARS:
                chunks.append(chunk)
                chunk = ""
            chunk = f"{chunk}\n{text}".strip()
        chunks.append(chunk)
        for number, text in enumerate(chunks, start=1):
            digest = hashlib.sha1(f"{path}|{text}".encode()).hexdigest()[:8]
            while digest in seen:
                digest = hashlib.sha1(digest.encode()).hexdigest()[:8]
            seen.add(digest)
            suffix = f" (phần {number})" if len(chunks) > 1 else ""
            sections.append(
                ProseSection(
                    id=f"{plan.id}_s{digest}",
                    document=plan.id,
                    province=plan.province,
                    year=plan.year,
                    section=path,
                    label=label + suffix,
                    heading=heading,
                    text=text,
                    lines=(part.first_line, part.last_line or part.first_line),
                )
            )
    return sections
