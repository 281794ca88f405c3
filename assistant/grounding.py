"""Keeping an LLM's answer to what the cited rows say, line by line.

A line stays only if it cites at least one row the model was given and no row it was not: an
uncited line («Liên hệ … 0900000000») or one whose citation is invented loses its claim along with
the citation. Web addresses, e-mail addresses and phone numbers that none of the line's cited rows
contains are cut out, so an address planted in a plan or made up by the model never reaches a
reader (Telegram would make it a link). What was removed is counted, for the note the answer ends with.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

CITATION = re.compile(r"\[([a-z0-9]+_s?[0-9a-f]{8})\]")
_TLDS = "com|net|org|info|io|xyz|vn|gov|edu|biz|me|co|app|link|site|online|top|ru|cn|ly|gl|to|ai|dev|tk|click"
_LINK = re.compile(
    r"(?:https?|ftp)://[^\s<>\"'«»()\[\]]+"  # scheme://…
    r"|www\.[^\s<>\"'«»()\[\]]+"
    r"|[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"  # e-mail
    rf"|\b(?:[A-Za-z0-9-]+\.)+(?:{_TLDS})\b(?:/[^\s<>\"'«»()\[\]]*)?",  # bare domain, as Telegram links it
    re.IGNORECASE,
)
# Vietnamese numbers: mobile and landline (0… or +84…, 9–11 digits with spaces, dots or dashes) and hotlines.
_PHONE = re.compile(r"(?<![\w.,])(?:\+\s?84|0)(?:[\s.-]?\d){8,10}(?![\d])|(?<![\w.,])1[89]00(?:[\s.-]?\d){4,6}(?![\d])")
_TRAILING = ".,;:!?"


def _link_key(text: str) -> str:
    return re.sub(r"^(?:https?|ftp)://|^www\.", "", text.lower().rstrip(_TRAILING)).rstrip("/")


def _phone_key(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return "0" + digits[2:] if digits.startswith("84") else digits


@dataclass
class Grounding:
    """Checks the lines of one answer; `allowed` are the ids the model was shown, `text_of` gives
    a row's text as the model saw it."""

    allowed: set[str]
    text_of: Callable[[str], str]
    dropped: int = 0  # lines removed: no valid citation, or an invented one
    invented: list[str] = field(default_factory=list)
    scrubbed: int = 0  # addresses and numbers removed from kept lines

    def check(self, line: str) -> tuple[str, list[str]] | None:
        """(line without unknown addresses or numbers, the ids it cites), or None if it must go."""
        if not line.strip():
            return line, []
        cited = list(dict.fromkeys(CITATION.findall(line)))
        invented = [record_id for record_id in cited if record_id not in self.allowed]
        if invented or not cited:
            self.invented += invented
            self.dropped += 1
            return None
        return self._scrub(line, cited), cited

    def _scrub(self, line: str, cited: list[str]) -> str:
        source = "\n".join(self.text_of(record_id) for record_id in cited)
        links = {_link_key(m.group(0)) for m in _LINK.finditer(source)}
        phones = {_phone_key(m.group(0)) for m in _PHONE.finditer(source)}

        def keep_if_cited(match: re.Match[str], known: set[str], key: Callable[[str], str]) -> str:
            if key(match.group(0)) in known:
                return match.group(0)
            self.scrubbed += 1
            return ""

        line = _LINK.sub(lambda m: keep_if_cited(m, links, _link_key), line)
        line = _PHONE.sub(lambda m: keep_if_cited(m, phones, _phone_key), line)
        return re.sub(r"[ \t]{2,}", " ", line)

    @property
    def changed(self) -> bool:
        return bool(self.dropped or self.scrubbed)

    def note(self) -> str:
        """The closing caveat, when anything was removed (a «Lưu ý: » line: a note block on the web,
        a line of its own in Telegram)."""
        parts = []
        if self.dropped:
            parts.append(f"đã bỏ {self.dropped} ý không dẫn được đúng dòng kế hoạch")
        if self.scrubbed:
            parts.append(f"đã xóa {self.scrubbed} địa chỉ web hoặc số điện thoại không có trong các dòng được trích")
        body = "; ".join(parts)
        return f"Lưu ý: {body[0].upper()}{body[1:]}. Chỉ các ý có trích dẫn hợp lệ được giữ lại."
