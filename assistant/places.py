"""Places in questions: provinces (with the 2025 mergers and chat abbreviations) and districts.

Data: assistant/data/provinces.txt (names), provinces-2025.toml (mergers, abbreviations),
districts.toml (cấp huyện of the provinces held).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources

from assistant.reading import document_spans
from indexer.vntext import fold


def _data(name: str) -> str:
    return resources.files("assistant").joinpath(f"data/{name}").read_text(encoding="utf-8")


# Closed class: the prepositions that put a place after them («ở», «tại», «của», «thuộc», «tỉnh»).
_PLACE_PREPOSITION = re.compile(r"\b(?:o|tai|cua|thuoc|tinh)\s*$")

_CITIES = {"Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế"}


def unit(name: str) -> str:
    """"tỉnh Nam Định", "thành phố Cần Thơ"."""
    return f"{'thành phố' if name in _CITIES else 'tỉnh'} {name}"


def _names() -> dict[str, str]:
    """Folded name or alias -> canonical province name."""
    names: dict[str, str] = {}
    for line in _data("provinces.txt").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        canonical, *aliases = [part.strip() for part in line.split("|")]
        for name in (canonical, *aliases):
            names[fold(name)] = canonical
    return names


@dataclass
class Places:
    """What a question says about where: provinces held, an unheld one, notes to tell the user."""

    held: list[str] = field(default_factory=list)
    unknown: str | None = None
    notes: list[str] = field(default_factory=list)
    district: str | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)  # character spans in the folded text


class PlaceReader:
    def __init__(self, held: set[str]):
        self.held = held
        self._names = _names()
        for province in held:
            self._names.setdefault(fold(province), province)
        reorg = tomllib.loads(_data("provinces-2025.toml"))
        self.resolution: str = reorg["resolution"]
        self._merged: dict[str, list[str]] = reorg["merged"]
        self._became = {old: new for new, olds in self._merged.items() for old in olds}
        for name in [*self._merged, *self._became]:
            self._names.setdefault(fold(name), name)
        self._pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, self._names), key=len, reverse=True)) + r")\b")
        self._abbrev = {a: p for p, abbrevs in reorg["abbreviations"].items() for a in abbrevs if p in held}
        districts = tomllib.loads(_data("districts.toml"))
        self._districts: dict[str, tuple[str, str]] = {}  # folded district name -> (province, printed)
        prefixes = districts["prefixes"]
        for province, entries in districts["districts"].items():
            for entry in entries:
                level = next(p for p in prefixes if entry.startswith(p + " "))
                name = entry[len(level) + 1:]
                for typed in prefixes[level]:
                    self._districts[fold(f"{typed} {name}")] = (province, entry)
                self._districts.setdefault(fold(name), (province, entry))
        self._district_pattern = re.compile(
            r"(?<![\w.])(" + "|".join(sorted(map(re.escape, self._districts), key=len, reverse=True)) + r")\b")

    def starts_with_place(self, folded: str) -> bool:
        """Whether the folded text begins with a province's name («ha tinh co nhiem vu gi»)."""
        return bool(self._pattern.match(folded))

    def read(self, text: str, folded: str, agency_ends: list[int]) -> Places:
        places = Places()
        for match in self._pattern.finditer(folded):
            self._add(places, self._names[match.group(1)], match.span())
        if not places.held and not places.unknown:
            self._abbreviation(places, text, folded, agency_ends)
        if not places.unknown and (match := self._district_pattern.search(folded)):
            name = match.group(1)
            # "Hưng Yên" alone is the province; "TP Hưng Yên" is the city.
            if name not in self._names and self._districts[name][0] in (places.held or [self._districts[name][0]]):
                places.held.clear()
                province, printed = self._districts[name]
                places.held.append(province)
                places.district = printed
                places.spans.append(match.span())
                places.notes.append(f"{printed[0].upper()}{printed[1:]} thuộc tỉnh {province}: trả lời theo kế hoạch của tỉnh, "
                                    "các nhiệm vụ giao cho UBND cấp huyện.")
        return places

    def _add(self, places: Places, name: str, span: tuple[int, int]) -> None:
        places.spans.append(span)
        if name in self.held:
            if name not in places.held:
                places.held.append(name)
            return
        formers = [p for p in self._merged.get(name, []) if p in self.held and p != name]
        if formers:
            for former in formers:
                if former not in places.held:
                    places.held.append(former)
                    places.notes.append(f"Tỉnh {former} nay thuộc {unit(name)} ({self.resolution}); "
                                        f"trả lời theo kế hoạch của tỉnh {former} trước sáp nhập.")
            return
        new = self._became.get(name)
        if new in self.held and new != name:
            places.notes.append(f"{unit(name).capitalize()} nay thuộc {unit(new)} ({self.resolution}), nhưng hệ thống chỉ có "
                                f"kế hoạch của {unit(new)} trước sáp nhập, không có kế hoạch của {unit(name)} cũ.")
        if places.unknown is None:
            places.unknown = name

    def _abbreviation(self, places: Places, text: str, folded: str, agency_ends: list[int]) -> None:
        """A province's initials («HT», «hy») read as the province where nothing else claims them:
        written in capitals, typed right after an agency («snv hy»), opening the question, or after a
        preposition of place («ở ST»). Followed by a number they name a document («NĐ 61», «KH 196»);
        the plan itself («KH CCHC», «KH số …») was claimed as a document before (assistant.reading)."""
        reserved = [m.span() for m in document_spans(folded)]
        for match in re.finditer(r"(?<![\w/&-])([A-Za-zĐđ]{2})(?![\w/&-])", text):
            typed = match.group(1)
            province = self._abbrev.get(typed.upper().replace("đ", "Đ"))
            if province is None or any(s <= match.start() < e for s, e in reserved):
                continue
            if re.match(r"\s*(?:so\s*)?\d", folded[match.end():]):
                continue
            behind_agency = any(0 <= match.start() - end <= 2 for end in agency_ends)
            opening = not folded[: match.start()].strip(" ,.:;!?-")
            placed = bool(_PLACE_PREPOSITION.search(folded[: match.start()]))
            if typed.isupper() or behind_agency or opening or placed:
                places.held.append(province)
                places.spans.append(match.span())
                return
