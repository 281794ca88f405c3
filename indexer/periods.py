"""Deadline cells ("Thời gian thực hiện", "Tiến độ") normalised to typed periods.

All matching runs on folded text (no accents, lowercase), so OCR and unaccented
variants parse the same as the printed forms.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from indexer.records import Period, PeriodKind
from indexer.vntext import fold, strip_html

_ROMAN_LABELS = ("I", "II", "III", "IV")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
_ROMAN = re.compile(r"m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})")
# Real cells are a line or two; anything far longer is not a deadline, and capping the
# raw size keeps strip_html's tag regex away from quadratic inputs.
_MAX_RAW = 2000
_MAX_TEXT = 300
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")

_TOKEN = re.compile(
    r"""
      ngay\s*(?P<d1>\d{1,2})\s*(?:/|thang)\s*(?P<m1>\d{1,2})\b(?:\s*(?:/|nam)\s*(?P<y1>\d{4})\b)?
    | (?<![\d/])(?P<d2>\d{1,2})\s*[/.]\s*(?P<m2>\d{1,2})\s*[/.]\s*(?P<y2>\d{4})\b
    | \bqu[yi]\s*(?P<qs>(?:[ivx]+|\d)\b(?:\s*(?:,|-|va)\s*(?:[ivx]+|\d)\b)*)
          (?:\s*[-/,.]?\s*(?:nam\s*)?(?P<y3>\d{4})\b)?
    | (?:thang\s*)?(?<![\d/])(?P<m4>\d{1,2})\s*/\s*(?P<y4>\d{4})\b
    | thang\s*(?P<m5>\d{1,2})\b(?:\s*[-,]?\s*(?:nam\s*)?(?P<y5>\d{4})\b)?
    | (?<![\d/])(?P<y6>(?:19|20)\d{2})\b
    | (?P<to>\bden\b|\btoi\b|-(?=\s*\d))
    """,
    re.VERBOSE,
)
_GUIDANCE = re.compile(r"(?:thuc hien\s+)?theo\b")
_ARISES = re.compile(r"(?:sau\s+)?khi\b")
# "Hàng năm" makes the whole cell recurring; "thường xuyên" after a date only extends it.
_EVERY = re.compile(r"\b(?:hang|moi)\s+(?:nam|quy|thang)\b|\bdinh ky\b")
_ONGOING = re.compile(r"\b(?:thuong xuyen|lien tuc)\b")
_CONTINUES = re.compile(r"\b(?:tiep theo|tro di|bat dau)\b")
_OPEN_START = re.compile(r"^tu\b")


def quarter_key(year: int, quarter: int) -> int:
    """Quarter as year*10+quarter (Q4/2022 -> 20224)."""
    if not 1 <= quarter <= 4:
        raise ValueError(f"quarter must be 1..4, got {quarter}")
    return year * 10 + quarter


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """First and last day of a month."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """First and last day of a quarter."""
    quarter_key(year, quarter)
    return month_bounds(year, 3 * quarter - 2)[0], month_bounds(year, 3 * quarter)[1]


def quarters_between(start: date, end: date) -> list[int]:
    """Keys of every quarter touched by start..end, inclusive; empty if end < start."""
    first = start.year * 4 + (start.month - 1) // 3
    last = end.year * 4 + (end.month - 1) // 3
    return [quarter_key(n // 4, n % 4 + 1) for n in range(first, last + 1)]


def quarter_label(key: int) -> str:
    """Vietnamese label of a quarter key (20224 -> "Quý IV/2022")."""
    year, quarter = divmod(key, 10)
    quarter_key(year, quarter)
    return f"Quý {_ROMAN_LABELS[quarter - 1]}/{year}"


def roman_or_int(token: str) -> int | None:
    """Value of a roman numeral or decimal token ("IV" -> 4, "4" -> 4), else None."""
    token = token.strip().rstrip(".").lower()
    if token.isascii() and token.isdigit():
        return int(token)
    if not token or not _ROMAN.fullmatch(token):
        return None
    values = [_ROMAN_VALUES[ch] for ch in token]
    return sum(-v if v < nxt else v for v, nxt in zip(values, values[1:] + [0]))


@dataclass
class _Tok:
    kind: str  # "day", "month", "quarter", "year" or "to"
    year: int | None = None
    nums: tuple[int, ...] = ()
    had_year: bool = False


@dataclass
class _Span:
    start: date
    end: date
    quarters: set[int]
    whole: bool = False


def _year_span(year: int) -> _Span:
    start, end = date(year, 1, 1), date(year, 12, 31)
    return _Span(start, end, set(quarters_between(start, end)), whole=True)


def _quarter_list(qs: str) -> tuple[int, ...]:
    parts = re.split(r"\s*(,|-|va)\s*", qs)
    nums = [roman_or_int(p) for p in parts[0::2]]
    if any(n is None or not 1 <= n <= 4 for n in nums):
        return ()
    out = [nums[0]]
    for sep, n in zip(parts[1::2], nums[1:]):
        out.extend(range(out[-1] + 1, n + 1) if sep == "-" else [n])
    return tuple(sorted(set(out)))


def _pick(groups: dict[str, int | str], *names: str) -> int | None:
    return next((int(groups[n]) for n in names if n in groups), None)


def _tokens(folded: str) -> list[_Tok]:
    toks: list[_Tok] = []
    for m in _TOKEN.finditer(folded):
        g = {k: (int(v) if k != "qs" and v.isdigit() else v) for k, v in m.groupdict().items() if v}
        if "to" in g:
            tok = _Tok("to")
        elif "d1" in g or "d2" in g:
            tok = _Tok("day", _pick(g, "y1", "y2"), (_pick(g, "d1", "d2"), _pick(g, "m1", "m2")))
        elif "qs" in g:
            tok = _Tok("quarter", g.get("y3"), _quarter_list(g["qs"]))
        elif "m4" in g or "m5" in g:
            tok = _Tok("month", _pick(g, "y4", "y5"), (_pick(g, "m4", "m5"),))
        else:
            tok = _Tok("year", g["y6"])
        tok.had_year = tok.year is not None
        toks.append(tok)
    return toks


def _resolve_years(toks: list[_Tok], plan_year: int) -> None:
    # A yearless date borrows the next stated year ("tháng 2 đến tháng 8 năm 2022"),
    # then the previous one, then the plan's year; a bare year right after it is spent.
    for i, tok in enumerate(toks):
        if tok.kind == "to" or tok.year is not None:
            continue
        later = [t for t in toks[i + 1 :] if t.had_year]
        earlier = [t for t in toks[:i] if t.had_year]
        tok.year = (later[0] if later else earlier[-1]).year if later or earlier else plan_year
        if i + 1 < len(toks) and toks[i + 1].kind == "year":
            toks[i + 1].kind = "spent"


def _spans(tok: _Tok) -> list[_Span]:
    y = tok.year
    assert y is not None
    if tok.kind == "year":
        return [_year_span(y)]
    if tok.kind == "quarter":
        return [_Span(*quarter_bounds(y, q), {quarter_key(y, q)}) for q in tok.nums]
    if tok.kind == "month":
        start, end = month_bounds(y, tok.nums[0])
    else:
        start = end = date(y, tok.nums[1], tok.nums[0])
    return [_Span(start, end, set(quarters_between(start, end)))]


def _combine(toks: list[_Tok]) -> list[_Span]:
    # Dates joined by "đến" or a dash form one range; otherwise each is its own milestone.
    spans: list[_Span] = []
    joining = False
    for tok in toks:
        if tok.kind == "to":
            joining = bool(spans)
            continue
        if tok.kind == "spent":
            continue
        try:
            found = _spans(tok)
        except ValueError:  # "Tháng 13/2022", "Ngày 31/02/2022", "Quý V/2022"
            found = []
        if found and joining:
            start, end = spans.pop().start, max(s.end for s in found)
            found = [_Span(start, end, set(quarters_between(start, end)))]
        spans.extend(found)
        joining = False
    return spans


def _normalise(folded: str) -> str:
    folded = re.sub(r"[\u2010-\u2015\u2212]", "-", folded)
    folded = re.sub(r"\s+", " ", folded)
    return folded.strip(" -+*•·.;,")


def _unknown(text: str) -> Period:
    return Period(text=text, kind=PeriodKind.UNKNOWN, understood=False)


def parse_period(text: str, plan_year: int) -> Period:
    """Normalise a raw deadline cell; never raises, unrecognised input gives UNKNOWN."""
    if not isinstance(text, str):
        return _unknown("")
    if len(text) > _MAX_RAW:
        return _unknown(text)
    clean = strip_html(text)
    if len(clean) > _MAX_TEXT or _BINARY.search(clean):
        return _unknown(clean)
    folded = _normalise(fold(clean))
    if not folded:
        return _unknown(clean)
    if _GUIDANCE.match(folded):
        return Period(text=clean, kind=PeriodKind.PER_GUIDANCE)
    if _ARISES.match(folded):
        return Period(text=clean, kind=PeriodKind.WHEN_ARISES)
    try:
        return _dated(clean, folded, plan_year)
    except (ValueError, OverflowError):  # a nonsensical plan_year
        return _unknown(clean)


_MILESTONE = re.compile(r"(?:^|\s)[-+•]\s*(?:thang|ngay|quy)\b")  # a bulleted dated item of a cell


def _covered(spans: list[_Span], folded: str) -> list[int]:
    """The quarters a cell's dates cover. A list of dated milestones («- Tháng 02/2021 - Ngày 15/11/2021»)
    marks one piece of work from the first to the last, so it runs through the quarters between them;
    quarters named together («Quý II, IV/2022», «Quý II và Quý IV») stay the ones named."""
    named = sorted(set().union(*(s.quarters for s in spans)))
    if len(spans) < 2 or any(s.whole for s in spans) or not _MILESTONE.search(folded):
        return named
    return sorted(set(named) | set(quarters_between(min(s.start for s in spans), max(s.end for s in spans))))


def _dated(clean: str, folded: str, plan_year: int) -> Period:
    toks = _tokens(folded)
    _resolve_years(toks, plan_year)
    spans = _combine(toks)
    every = bool(_EVERY.search(folded))
    ongoing = bool(_ONGOING.search(folded))
    recurring = every or (not spans and ongoing)
    if not spans and recurring:
        stated = [t.year for t in toks if t.had_year and t.year is not None]
        spans = [_year_span(stated[0] if stated else plan_year)]
    if not spans:
        return _unknown(clean)
    if recurring:
        kind = PeriodKind.RECURRING
    elif any(s.whole for s in spans):
        kind = PeriodKind.WHOLE_YEAR
    else:
        kind = PeriodKind.DATED
    open_start = bool(_OPEN_START.search(folded)) and not any(t.kind == "to" for t in toks)
    continues = not recurring and (ongoing or open_start or bool(_CONTINUES.search(folded)))
    return Period(
        text=clean,
        kind=kind,
        start=min(s.start for s in spans),
        end=max(s.end for s in spans),
        quarters=_covered(spans, folded),
        continues_after=continues,
    )
