"""Agency table: who a lead / coordinating cell names, and which rows concern an agency.

The table lives in ``indexer/data/agencies.toml``. Names are matched on folded tokens
(case and diacritics removed, commas inside a name ignored) with a token trie, taking the
longest alias at each position, so "Sở TTTT", "Sở Thông tin và truyền thông" and
"so thong tin va truyen thong" all resolve to the same agency.
"""

from __future__ import annotations

import html
import re
import hashlib
import tomllib
import unicodedata
from pathlib import Path
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from indexer.records import AgencyRef
from indexer.vntext import fold, squash

DATA_FILE = Path(__file__).parent / "data" / "agencies.toml"

Kind = Literal[
    "department", "office", "government", "police", "party",
    "ministry", "media", "public_unit", "school", "other",
]


class Agency(BaseModel):
    """An agency, or a collective assignee ("Các sở, ban, ngành", "UBND cấp huyện")."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    name: str
    short: str = ""
    kind: Kind | None = Field(None, description="required for agencies; optional for collectives")
    aliases: list[str] = Field(default_factory=list)
    collective: bool = False
    covers: list[Kind] = Field(default_factory=list, description="kinds a collective concerns")
    members: list[str] = Field(default_factory=list, description="agency ids a collective concerns")

    def ref(self) -> AgencyRef:
        return AgencyRef(id=self.id, name=self.name, collective=self.collective)


class _Tok(NamedTuple):
    key: str  # folded token
    start: int
    end: int
    spaced: bool  # preceded by whitespace or at the start of the text


_TOKEN = re.compile(r"\w+|[^\w\s]")
_BLOCK_TAG = re.compile(r"<\s*/?\s*(?:p|li|ul|ol|br|div|tr|td)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_END = "\0"  # trie key holding the id of an alias ending at that node
_DASHES = {"-", "–", "—", "•", "+"}
_BOUNDARIES = {";", "/"}  # end an item; so does a dash after a space (a bullet)
_SEPARATORS = {",", ".", ":", "&", "va", "-", "–", "—"}
# continuation after an UBND match: "UBND cấp huyện, cấp xã", "UBND cấp huyện, xã"
_LEVELS = {("cap", "huyen"): "ubnd-cap-huyen", ("huyen",): "ubnd-cap-huyen",
           ("cap", "xa"): "ubnd-cap-xa", ("xa",): "ubnd-cap-xa"}
# lowercase words that may still start an agency name we do not know; any other lowercase
# start of an item is a verb phrase or a fragment ("theo dõi ...", "huyện, cấp xã")
_HEADS = {"cac", "co", "don", "ban", "so", "phong", "trung", "hoi", "uy", "van", "dai", "bao",
          "truong", "cuc", "chi", "to", "doanh", "hiep", "kho", "doan", "vien", "bo"}


# Versions the aliases derived from the table (_add_without_province_word, _add_first_conjuncts), part of the digest.
DERIVED_ALIASES = "derived: trailing tỉnh optional (1); first field of a department's name (1)"
_HEAD_WORDS = {"so", "bo"}  # closed class: the head word of a department's name («Sở», «Bộ»)


def _clean(cell: str) -> str:
    """Raw cell -> plain text; block tags become item boundaries (";")."""
    text = _TAG.sub("", _BLOCK_TAG.sub(" ; ", cell))
    return unicodedata.normalize("NFC", html.unescape(text))


def _tokens(text: str) -> list[_Tok]:
    toks = []
    for m in _TOKEN.finditer(text):
        spaced = m.start() == 0 or text[m.start() - 1].isspace()
        toks.append(_Tok(fold(m.group()), m.start(), m.end(), spaced))
    return toks


def _is_boundary(tok: _Tok) -> bool:
    return tok.key in _BOUNDARIES or (tok.key in _DASHES and tok.spaced)


class AgencyTable:
    """Agencies and collectives with a compiled alias trie. Build with :meth:`load`."""

    def __init__(self, entries: list[Agency]):
        self._by_id: dict[str, Agency] = {}
        self._trie: dict = {}
        for entry in entries:
            if entry.id in self._by_id:
                raise ValueError(f"duplicate agency id {entry.id!r}")
            if not entry.collective and entry.kind is None:
                raise ValueError(f"agency {entry.id!r} has no kind")
            if entry.covers and entry.members:
                raise ValueError(f"collective {entry.id!r} has both covers and members")
            if not entry.collective and (entry.covers or entry.members):
                raise ValueError(f"agency {entry.id!r} is not a collective but has covers/members")
            if not entry.short:
                entry.short = entry.name
            self._by_id[entry.id] = entry
            for alias in dict.fromkeys([entry.name, entry.short, *entry.aliases]):
                self._add_alias(alias, entry.id)
        for entry in entries:
            for alias in dict.fromkeys([entry.name, entry.short, *entry.aliases]):
                self._add_without_province_word(alias, entry.id)
        self._add_first_conjuncts(entries)
        for entry in entries:
            for member in entry.members:
                if member not in self._by_id:
                    raise ValueError(f"collective {entry.id!r}: unknown member {member!r}")
        # Part of each document's fingerprint: a changed alias table re-parses every plan.
        self.digest = hashlib.sha256(
            "\n".join([DERIVED_ALIASES, *(e.model_dump_json() for e in entries)]).encode()
        ).hexdigest()[:16]

    @classmethod
    def load(cls, path: Path | str | None = None) -> AgencyTable:
        path = Path(path) if path is not None else DATA_FILE
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        unknown = set(data) - {"agency", "collective"}
        if unknown:
            raise ValueError(f"{path}: unknown tables {sorted(unknown)}")
        entries = [Agency(**e) for e in data.get("agency", [])]
        entries += [Agency(**{**e, "collective": True}) for e in data.get("collective", [])]
        return cls(entries)

    def _add_without_province_word(self, alias: str, agency_id: str) -> None:
        """«VP UBND tỉnh» is also written «VP UBND Sóc Trăng» or «VP UBND»: the trailing «tỉnh» may be
        left out or replaced by the province's name. Added only where no other agency claims the rest."""
        words = alias.split()
        if len(words) < 3 or fold(words[-1]) != "tinh":
            return
        if self._claimed(" ".join(words[:-1])) is None:
            self._add_alias(" ".join(words[:-1]), agency_id)

    def _add_first_conjuncts(self, entries: list[Agency]) -> None:
        """«Sở Giáo dục và Đào tạo» is also said «Sở Giáo dục», «Sở Lao động - Thương binh và Xã hội»
        «Sở Lao động»: the head word and the first field of a department's name. Added only where one
        agency alone shortens to it and no alias claims it already."""
        shortened: dict[str, set[str]] = {}
        for entry in entries:
            words = entry.name.split()
            if entry.collective or len(words) < 4 or fold(words[0]) not in _HEAD_WORDS:
                continue
            first = re.split(r"\s+(?:và|-)\s+|,\s*", entry.name, maxsplit=1)[0]
            if first != entry.name and len(first.split()) >= 3:
                shortened.setdefault(first, set()).add(entry.id)
        for first, ids in shortened.items():
            if len(ids) == 1 and self._claimed(first) is None:
                self._add_alias(first, next(iter(ids)))

    def _claimed(self, alias: str) -> str | None:
        """The agency an alias already names, if any."""
        node = self._trie
        for key in [t.key for t in _tokens(unicodedata.normalize("NFC", alias)) if t.key != ","]:
            node = node.get(key)
            if node is None:
                return None
        return node.get(_END)

    def _add_alias(self, alias: str, agency_id: str) -> None:
        keys = [t.key for t in _tokens(unicodedata.normalize("NFC", alias)) if t.key != ","]
        if not keys:
            raise ValueError(f"empty alias {alias!r} for {agency_id!r}")
        node = self._trie
        for key in keys:
            node = node.setdefault(key, {})
        other = node.get(_END)
        if other is not None and other != agency_id:
            raise ValueError(f"duplicate alias {alias!r}: both {other!r} and {agency_id!r}")
        node[_END] = agency_id

    # ------------------------------------------------------------------ lookup

    def get(self, agency_id: str) -> Agency:
        try:
            return self._by_id[agency_id]
        except KeyError:
            raise KeyError(f"unknown agency id {agency_id!r} (not in agencies.toml)") from None

    def all(self) -> list[Agency]:
        return list(self._by_id.values())

    def concerns(self, assignee_id: str, agency_id: str) -> bool:
        """Does a row assigned to ``assignee_id`` concern ``agency_id``?"""
        if assignee_id == agency_id:
            return True
        assignee, agency = self._by_id.get(assignee_id), self._by_id.get(agency_id)
        if assignee is None or agency is None or not assignee.collective:
            return False
        return agency_id in assignee.members or (agency.kind or "") in assignee.covers

    def collectives_concerning(self, agency_id: str) -> list[str]:
        self.get(agency_id)
        return [a.id for a in self._by_id.values()
                if a.collective and a.id != agency_id and self.concerns(a.id, agency_id)]

    # ------------------------------------------------------------------ matching

    def _match(self, toks: list[_Tok], i: int, node: dict | None = None) -> tuple[int, str] | None:
        """Longest alias starting at token i: (end index, id). Commas inside are skipped."""
        node = self._trie if node is None else node
        best, j = None, i
        while j < len(toks):
            if toks[j].key == "," and j > i:
                j += 1
                continue
            node = node.get(toks[j].key)
            if node is None:
                break
            j += 1
            if _END in node:
                best = (j, node[_END])
        return best

    def _level(self, toks: list[_Tok], i: int) -> tuple[int, str] | None:
        for words, agency_id in _LEVELS.items():
            if tuple(t.key for t in toks[i:i + len(words)]) == words and agency_id in self._by_id:
                return i + len(words), agency_id
        return None

    def _refs(self, ids: list[str], unknown: dict[str, str]) -> list[AgencyRef]:
        return [AgencyRef(id=i, name=unknown[i], known=False) if i in unknown else self._by_id[i].ref()
                for i in dict.fromkeys(ids)]

    def find_in_text(self, text: str) -> list[AgencyRef]:
        """Every agency or collective mentioned anywhere in free text (a user's question)."""
        return self._refs([agency_id for agency_id, _, _ in self.mentions(text)], {})

    def mentions(self, text: str) -> list[tuple[str, int, int]]:
        """(agency id, start, end) of each mention in free text, in order; offsets into `text`
        when it holds no HTML."""
        toks = _tokens(_clean(text))
        found: list[tuple[str, int, int]] = []
        i, after_ubnd = 0, False
        while i < len(toks):
            hit = self._match(toks, i) or (self._level(toks, i) if after_ubnd else None)
            if hit:
                end, agency_id = hit
                found.append((agency_id, toks[i].start, toks[end - 1].end))
                i = end
                after_ubnd = agency_id.startswith("ubnd-")
                continue
            after_ubnd = after_ubnd and toks[i].key in _SEPARATORS
            i += 1
        return found

    def extract(self, cell: str) -> list[AgencyRef]:
        """Agencies a raw lead / coordinating cell assigns, in order, without duplicates.

        The cell splits into items at block tags, ";", "/" and "- " bullets. In an item,
        agencies separated by ",", "và", "&" are all kept; free text after an agency (a verb
        phrase such as "theo dõi, đôn đốc các sở ...") ends the item, since agencies named
        there are objects, not assignees. An item that starts with an unknown name yields an
        ``unknown:`` ref; one that starts with a lowercase verb or fragment is ignored.
        """
        text = _clean(cell)
        toks = _tokens(text)
        ids: list[str] = []
        unknown: dict[str, str] = {}
        state = "start"  # start | after (an agency) | stopped | unknown (collecting a name)
        unk_from = unk_to = 0
        after_ubnd, bare_council, so_list = False, None, False
        so_node = self._trie.get("so", {})

        def flush_unknown() -> None:
            name = squash(text[toks[unk_from].start:toks[unk_to - 1].end]).strip(" ,.:-")
            name = name[:80].strip()
            key = "unknown:" + fold(name)
            unknown[key] = name
            ids.append(key)

        i = 0
        while i < len(toks):
            tok = toks[i]
            if tok.key == "(":  # parenthetical: "Sở Nội vụ (Trung tâm lưu trữ lịch sử tỉnh)"
                depth = 0
                while i < len(toks) and not _is_boundary(toks[i]):
                    depth += {"(": 1, ")": -1}.get(toks[i].key, 0)
                    i += 1
                    if depth == 0:
                        break
                continue
            hit = (self._match(toks, i, so_node) if so_list else None) or self._match(toks, i)
            if state != "stopped" and hit is None and after_ubnd:
                hit = self._level(toks, i)
            inside_name = state == "unknown" and toks[i - 1].key not in _SEPARATORS
            if hit and (state == "stopped" or inside_name):
                # swallow it: inside an unknown name ("Ban quản lý UBND tỉnh"), or after a verb
                # (where the dash in "Phát thanh - Truyền hình" must not read as a bullet)
                if state == "unknown":
                    unk_to = hit[0]
                i = hit[0]
                continue
            if hit:
                if state == "unknown":
                    flush_unknown()
                end, agency_id = hit
                if bare_council is not None and agency_id.startswith("ubnd-"):
                    council = "hdnd-" + agency_id.removeprefix("ubnd-")
                    if council in self._by_id:  # "HĐND, UBND cấp huyện"
                        ids[bare_council] = council
                bare_council = len(ids) if end - i == 1 and tok.key == "hdnd" else None
                ids.append(agency_id)
                after_ubnd = agency_id.startswith("ubnd-")
                state, i = "after", end
                continue
            if _is_boundary(tok):
                if state == "unknown":
                    flush_unknown()
                state, so_list, bare_council = "start", False, None
                i += 1
                continue
            if state in ("start", "after"):
                keys = [t.key for t in toks[i:i + 3]]
                opener = 3 if keys == ["cac", "so", ":"] else 2 if keys[:2] == ["so", ":"] else 0
                if opener:  # "VP UBND tỉnh và các sở: Tư pháp, Tài chính, ..."
                    so_list, i = True, i + opener
                    continue
            if tok.key in _SEPARATORS:
                i += 1
                continue
            after_ubnd, bare_council = False, None
            word = text[tok.start:tok.end]
            if state == "after":
                state = "stopped"
            elif state == "start":
                if not word[0].isalpha() or (word[0].islower() and tok.key not in _HEADS):
                    state = "stopped"
                else:
                    state, unk_from = "unknown", i
            if state == "unknown":
                unk_to = i + 1
            i += 1
        if state == "unknown":
            flush_unknown()
        return self._refs(ids, unknown)
