"""Vietnamese text helpers: accent folding, HTML cleanup, tokens for lexical search."""

from __future__ import annotations

import functools
import html
import re
import unicodedata

# A tag is "<" then a name (or "/name", "!--", "!DOCTYPE"): «a < b, c > d» is text, not a tag.
_TAG = re.compile(r"<!--[^<]*?-->|<[!?/]?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>", re.DOTALL)
_BLOCK_TAG = re.compile(r"</?(p|li|ul|ol|br|div)\b[^>]*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\u00a0]+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


_KEPT_CONTROLS = "\n\t"


def clean_text(text: str) -> str:
    """NFC, without the characters nobody means to type: format characters (zero-width spaces and
    joiners, bidi marks, BOM, soft hyphen) vanish; control characters (NUL, …) become spaces."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        category = unicodedata.category(ch)
        if category == "Cf":
            continue
        out.append(" " if category == "Cc" and ch not in _KEPT_CONTROLS else ch)
    return "".join(out)


def fold(text: str) -> str:
    """Lowercase and strip diacritics ("Sở Nội vụ" -> "so noi vu"); đ becomes d."""
    # Loading an index folds every word of every record (300k calls on about a thousand distinct
    # words, most of the assistant's start-up): words are remembered, longer texts folded anew.
    return _fold_word(text) if len(text) <= _REMEMBERED_LENGTH else _fold(text)


_REMEMBERED_LENGTH = 40


@functools.lru_cache(maxsize=1 << 16)
def _fold_word(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


def strip_html(text: str) -> str:
    """Plain text of a cell: entities decode, then block tags become spaces and other tags vanish.

    Decoding first means escaped markup («&lt;a href=…&gt;») is removed as markup too, instead of
    surviving the strip and coming out as live tags."""
    text = html.unescape(text)
    text = _BLOCK_TAG.sub(" ", text)
    text = _TAG.sub("", text)
    return _SPACES.sub(" ", text).strip()


def squash(text: str) -> str:
    """Collapse whitespace, including newlines, to single spaces."""
    return re.sub(r"\s+", " ", text).strip()


_WORD = re.compile(r"[0-9a-z]+(?:[./][0-9a-z]+)*")

# Abbreviations officials use, expanded so "TTHC" also finds "thủ tục hành chính" and back.
ABBREVIATIONS: dict[str, str] = {
    "tthc": "thu tuc hanh chinh",
    "cchc": "cai cach hanh chinh",
    "vbqppl": "van ban quy pham phap luat",
    "qppl": "quy pham phap luat",
    "dvc": "dich vu cong",
    "dvctt": "dich vu cong truc tuyen",
    "cbccvc": "can bo cong chuc vien chuc",
    "cbcc": "can bo cong chuc",
    "ccvc": "cong chuc vien chuc",
    "cntt": "cong nghe thong tin",
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "dvsncl": "don vi su nghiep cong lap",
    "dvsn": "don vi su nghiep",
    "sncl": "su nghiep cong lap",
    "pbgdpl": "pho bien giao duc phap luat",
    "csdl": "co so du lieu",
    "vtvl": "vi tri viec lam",
    "nsnn": "ngan sach nha nuoc",
    "cqnn": "co quan nha nuoc",
    "tttt": "thong tin truyen thong",
    "khcn": "khoa hoc cong nghe",
    "khdt": "ke hoach dau tu",
    "par": "par index",
    "parindex": "par index",
}


def tokens(text: str) -> list[str]:
    """Folded syllable tokens plus adjacent-syllable bigrams, with abbreviations expanded both ways."""
    words = _WORD.findall(fold(strip_html(text)))
    expanded: list[str] = []
    for word in words:
        expanded.append(word)
        if word in ABBREVIATIONS:
            expanded.extend(ABBREVIATIONS[word].split())
    joined = " ".join(words)
    for abbr, phrase in ABBREVIATIONS.items():
        if len(phrase.split()) > 1 and phrase in joined:
            expanded.append(abbr)
    bigrams = [f"{a}_{b}" for a, b in zip(words, words[1:])]
    return expanded + bigrams
