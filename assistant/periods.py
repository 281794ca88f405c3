"""Periods named in questions ("quý này", "quý III năm 2022", "6 tháng đầu năm"), relative to a date."""

from __future__ import annotations

import datetime as dt
import re

from assistant.contract import AskedPeriod
from indexer.periods import month_bounds, parse_period, quarter_bounds, quarter_key, quarter_label, quarters_between
from indexer.records import PeriodKind

_Q = r"(?:quy|q)"
_RELATIVE_QUARTER = re.compile(rf"\b{_Q}\s*(?P<which>nay|hien tai|hien nay|sau|toi|ke tiep|tiep theo|truoc|vua qua)\b")
_RELATIVE_MONTH = re.compile(r"\bthang\s*(?P<which>nay|sau|toi|truoc)\b")
_HALF = re.compile(r"\b(?:6|sau) thang (?P<which>dau|cuoi)(?: nam)?\b|\bnua (?P<which2>dau|cuoi)(?: nam)?\b"
                   r"|\b(?:2|hai) quy (?P<which3>dau|cuoi)(?: nam)?\b")
# The dates a question names, handed to the deadline grammar the indexer reads cells with: a run of
# period words starting at "từ", "quý", "tháng" or "ngày" ("từ quý II đến hết quý III năm 2022").
_DATES = re.compile(
    r"\b(?:tu\s+)?(?:quy|q|thang|ngay)\s*(?:iv|iii|ii|i|\d)"
    r"(?:[\s,/.-]*(?:den het|den|toi|va|quy|q|thang|ngay|nam|iv|iii|ii|i|\d{1,4})\b)*"
)
# «30 ngày tới», «2 tuần tới» is not read; «sắp đến hạn», «sắp hết hạn» = the next SOON_DAYS days.
_NEXT_DAYS = re.compile(r"\b(?P<days>\d{1,3}) ngay (?:toi|sap toi|nua|ke tiep|tiep theo)\b|\bsap (?:den|het|toi) han\b")
SOON_DAYS = 30
_YEAR_END = re.compile(r"\bcuoi nam\b")
_YEAR_START = re.compile(r"\bdau nam\b")
_WHOLE_YEAR = re.compile(r"\b(?:ca nam|trong nam|nam nay)\b")


# Number words as officials type them after «quý»/«tháng» («quý ba», «tháng mười một»); «năm» (five)
# and «sáu» are left out: «tháng năm» is as often «tháng, năm» as May, and «thang sau» is next month.
_QUARTER_WORDS = {"mot": 1, "nhat": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4}
_MONTH_WORDS = {"muoi mot": 11, "muoi hai": 12, "mot": 1, "gieng": 1, "gieng hai": 2, "hai": 2, "ba": 3, "bon": 4,
                "tu": 4, "bay": 7, "tam": 8, "chin": 9, "muoi": 10, "chap": 12}
_QUARTER_WORD = re.compile(r"\bquy\s+(" + "|".join(_QUARTER_WORDS) + r")\b")
_MONTH_WORD = re.compile(r"\bthang\s+(" + "|".join(sorted(_MONTH_WORDS, key=len, reverse=True)) + r")\b(?!\s*(?:dau|cuoi|toi|nay|truoc))")
_SHORT_QUARTER = re.compile(r"\bq\s*([1-4])\b")  # «Q3/2022», «q4»: a quarter, never a month
RELATIVE_YEARS = {"nam nay": 0, "nam ngoai": -1, "nam truoc": -1, "nam sau": 1, "nam toi": 1}
_RELATIVE_YEAR = re.compile(r"\b(" + "|".join(RELATIVE_YEARS) + r")\b")


def normalise_periods(folded: str, today: dt.date) -> str:
    """Period words as the deadline grammar reads them: number words to digits, «Q3» to «quy 3»,
    relative years to the year they name."""
    folded = _SHORT_QUARTER.sub(lambda m: f"quy {m.group(1)}", folded)
    folded = _QUARTER_WORD.sub(lambda m: f"quy {_QUARTER_WORDS[m.group(1)]}", folded)
    folded = _MONTH_WORD.sub(lambda m: f"thang {_MONTH_WORDS[m.group(1)]}", folded)
    return _RELATIVE_YEAR.sub(lambda m: f"nam {today.year + RELATIVE_YEARS[m.group(1)]}", folded)


def current_quarter(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def shift_quarter(year: int, quarter: int, steps: int) -> tuple[int, int]:
    index = year * 4 + (quarter - 1) + steps
    return index // 4, index % 4 + 1


def quarter_period(year: int, quarter: int) -> AskedPeriod:
    start, end = quarter_bounds(year, quarter)
    label = quarter_label(quarter_key(year, quarter))
    return AskedPeriod(start=start, end=end, quarters=[quarter_key(year, quarter)], label="q" + label[1:])


def span_period(start: dt.date, end: dt.date, label: str) -> AskedPeriod:
    return AskedPeriod(start=start, end=end, quarters=quarters_between(start, end), label=label)


def year_period(year: int) -> AskedPeriod:
    return span_period(dt.date(year, 1, 1), dt.date(year, 12, 31), f"năm {year}")


def parse_asked_period(
    folded: str, today: dt.date, year: int | None, previous: AskedPeriod | None = None
) -> AskedPeriod | None:
    """The period a (folded) question asks about; `year` is a year named elsewhere in it.

    "quý sau" in a follow-up moves from the period under discussion, otherwise from today.
    """
    folded = normalise_periods(folded, today)
    base_year = year or today.year
    if match := _RELATIVE_QUARTER.search(folded):
        which = match["which"]
        anchor = (previous.start.year, (previous.start.month - 1) // 3 + 1) if previous else current_quarter(today)
        if which in ("nay", "hien tai", "hien nay"):
            anchor = current_quarter(today)
            return quarter_period(*anchor)
        steps = -1 if which in ("truoc", "vua qua") else 1
        return quarter_period(*shift_quarter(*anchor, steps))
    if match := _NEXT_DAYS.search(folded):
        days = int(match["days"]) if match["days"] else SOON_DAYS
        until = today + dt.timedelta(days=days)
        window = span_period(today, until, f"{days} ngày tới (đến {until:%d/%m/%Y})")
        return window.model_copy(update={"falls_due": True})
    if match := _RELATIVE_MONTH.search(folded):
        which = match["which"]
        month_index = today.year * 12 + today.month - 1 + {"nay": 0, "sau": 1, "toi": 1, "truoc": -1}[which]
        start, end = month_bounds(month_index // 12, month_index % 12 + 1)
        return span_period(start, end, f"tháng {start.month}/{start.year}")
    if match := _DATES.search(folded):
        period = parse_period(match.group(0).replace("den het", "den"), base_year)
        if period.kind is PeriodKind.DATED and period.start and period.end:
            return span_period(period.start, period.end, label_of(period.start, period.end))
    if match := _HALF.search(folded):
        first = (match["which"] or match["which2"] or match["which3"]) == "dau"
        start = dt.date(base_year, 1 if first else 7, 1)
        end = dt.date(base_year, 6, 30) if first else dt.date(base_year, 12, 31)
        return span_period(start, end, f"6 tháng {'đầu' if first else 'cuối'} năm {base_year}")
    if _YEAR_END.search(folded):
        return quarter_period(base_year, 4)
    if _YEAR_START.search(folded):
        return quarter_period(base_year, 1)
    if _WHOLE_YEAR.search(folded):
        return year_period(base_year)
    return None


_ROMAN = ("I", "II", "III", "IV")


def label_of(start: dt.date, end: dt.date) -> str:
    """"quý III/2022", "quý II–III/2022", "tháng 3/2022", "tháng 3–5/2022", else the two dates."""
    whole_months = start.day == 1 and end == month_bounds(end.year, end.month)[1]
    same_year = start.year == end.year
    if whole_months and same_year and start.month % 3 == 1 and end.month % 3 == 0:
        first, last = (start.month - 1) // 3, (end.month - 1) // 3
        return f"quý {_ROMAN[first]}/{start.year}" if first == last else f"quý {_ROMAN[first]}–{_ROMAN[last]}/{start.year}"
    if whole_months and same_year:
        months = f"{start.month}" if start.month == end.month else f"{start.month}–{end.month}"
        return f"tháng {months}/{start.year}"
    return f"từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}"


def move_period_to_year(period: AskedPeriod, year: int) -> AskedPeriod:
    """The same part of another year ("quý IV/2026" -> "quý IV/2022") for the nearest plan."""
    shift = year - period.start.year
    start, end = _shift_years(period.start, shift), _shift_years(period.end, shift)
    # every year in the label moves by the same amount ("… đến 01/01/2027" -> "… đến 01/01/2023")
    label = re.sub(r"20\d\d", lambda found: str(int(found.group()) + shift), period.label)
    return span_period(start, end, label)


def _shift_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


_PERIOD_PATTERNS = (_SHORT_QUARTER, _QUARTER_WORD, _MONTH_WORD, _RELATIVE_YEAR, _RELATIVE_QUARTER, _RELATIVE_MONTH,
                    _NEXT_DAYS, _DATES, _HALF, _YEAR_END, _YEAR_START, _WHOLE_YEAR,
                    re.compile(r"(?<![/:.\-\d])\b(?:nam\s+)?20\d\d\b(?![/:\-]\w)"))


def period_spans(folded: str) -> list[tuple[int, int]]:
    """Character spans of the (folded) question that name a period, for the reading
    (assistant.reading): what parse_asked_period reads, found in the question as typed."""
    return [match.span() for pattern in _PERIOD_PATTERNS for match in pattern.finditer(folded)]
