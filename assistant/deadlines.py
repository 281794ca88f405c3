"""Deadline-first listings: each item's deadline normalised and placed against today, the
agency's own rows regrouped as due / overdue / ongoing / by guidance, sorted by end date, and a
one-line summary over each plan's listing.

Only blocks change here; `Answer.answer` (the plain text the generator wrote) keeps its order.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from assistant.contract import (
    DeadlineStatus,
    GroupBlock,
    GroupKind,
    Item,
    Query,
    SummaryBlock,
    SummaryCount,
)
from indexer.periods import quarter_label
from indexer.records import PeriodKind
from indexer.vntext import fold

# Groups whose rows the asked agency leads (itself or through a collective): regrouped by status.
_LEAD_SIDE = {GroupKind.DUE, GroupKind.LEAD, GroupKind.ONGOING, GroupKind.GUIDANCE, GroupKind.COLLECTIVE}
# The order a person plans a quarter by.
_ORDER = [GroupKind.DUE, GroupKind.OVERDUE, GroupKind.ONGOING, GroupKind.GUIDANCE, GroupKind.COORDINATION,
          GroupKind.LEAD, GroupKind.COLLECTIVE, GroupKind.OTHER, GroupKind.TEXT]
_GROUP_OF_STATUS = {
    DeadlineStatus.DUE: GroupKind.DUE, DeadlineStatus.OVERDUE: GroupKind.OVERDUE,
    DeadlineStatus.RECURRING: GroupKind.ONGOING, DeadlineStatus.EVENT: GroupKind.GUIDANCE,
}
_SUMMARY_LABELS = {
    GroupKind.OVERDUE: "Quá hạn", GroupKind.ONGOING: "Đang thực hiện/thường xuyên",
    GroupKind.GUIDANCE: "Theo hướng dẫn/khi phát sinh", GroupKind.COORDINATION: "Phối hợp",
}
_ROMAN = ("I", "II", "III", "IV")
_SPACES = re.compile(r"\s+")


# -- one deadline -----------------------------------------------------------------------------
def _month_end(day: dt.date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def _span_label(start: dt.date, end: dt.date) -> str:
    """"Quý IV/2022", "Quý II–III/2022", "Tháng 7/2022", "Tháng 2–8/2022", "Năm 2022", or dates."""
    if start == end:
        return f"{end:%d/%m/%Y}"
    whole_months = start.day == 1 and _month_end(end)
    if not whole_months:
        return f"{start:%d/%m/%Y}–{end:%d/%m/%Y}"
    if start.year != end.year:
        return f"Tháng {start.month}/{start.year}–Tháng {end.month}/{end.year}"
    if start.month == 1 and end.month == 12:
        return f"Năm {end.year}"
    if start.month % 3 == 1 and end.month % 3 == 0:
        first, last = (start.month - 1) // 3, (end.month - 1) // 3
        if first == last:
            return quarter_label(end.year * 10 + first + 1)
        return f"Quý {_ROMAN[first]}–{_ROMAN[last]}/{end.year}"
    if start.month == end.month:
        return f"Tháng {end.month}/{end.year}"
    return f"Tháng {start.month}–{end.month}/{end.year}"


def _tidy(text: str) -> str:
    text = _SPACES.sub(" ", text).strip(" -–;,.")
    return text[:1].upper() + text[1:] if text else ""


def deadline_label(item: Item) -> str:
    """The deadline as one short, uniform badge text; the plan's own words stay in `deadline`."""
    folded = fold(item.deadline)
    kind = item.deadline_kind
    if kind == PeriodKind.DATED.value and item.deadline_start and item.deadline_end:
        label = _span_label(item.deadline_start, item.deadline_end)
        return f"{label}, sau đó thường xuyên" if "thuong xuyen" in folded else label
    if kind == PeriodKind.WHOLE_YEAR.value and item.deadline_end:
        return f"Năm {item.deadline_end.year}"
    if kind == PeriodKind.RECURRING.value and "thuong xuyen" in folded:
        return "Thường xuyên"
    return _tidy(item.deadline) or "Không ghi thời hạn"


def deadline_status(item: Item, today: dt.date) -> DeadlineStatus:
    """Overdue only against the plan year we are in: a past year's plan is history, not arrears."""
    kind = item.deadline_kind
    end = item.deadline_end
    if kind in (PeriodKind.DATED.value, PeriodKind.WHOLE_YEAR.value) and end is not None:
        if end < today and end.year == today.year:
            return DeadlineStatus.OVERDUE
        return DeadlineStatus.DUE if kind == PeriodKind.DATED.value else DeadlineStatus.RECURRING
    if kind == PeriodKind.RECURRING.value:
        return DeadlineStatus.RECURRING
    return DeadlineStatus.EVENT


def _role(item: Item, kind: GroupKind) -> str:
    roles = {
        GroupKind.COLLECTIVE: f"Giao chung: {item.lead}" if item.lead else "Giao chung",
        GroupKind.COORDINATION: f"Phối hợp (chủ trì: {item.lead})" if item.lead else "Phối hợp",
        GroupKind.DUE: "Chủ trì", GroupKind.LEAD: "Chủ trì", GroupKind.ONGOING: "Chủ trì", GroupKind.GUIDANCE: "Chủ trì",
    }
    return roles.get(kind, f"Chủ trì: {item.lead}" if item.lead else "")


def _sort_key(item: Item) -> tuple[bool, dt.date, dt.date]:
    far = dt.date.max
    return item.deadline_end is None, item.deadline_end or far, item.deadline_start or far


# -- one plan's listing -------------------------------------------------------------------------
def _titles(query: Query) -> dict[GroupKind, str]:
    period = query.period.label if query.period else None
    return {
        GroupKind.DUE: f"Đến hạn trong {period}" if period else "Sắp đến hạn",
        GroupKind.OVERDUE: f"Quá hạn (hạn trước ngày {query.today:%d/%m/%Y})",
        GroupKind.ONGOING: "Thường xuyên, định kỳ hoặc cả năm",
        GroupKind.GUIDANCE: "Theo hướng dẫn, kế hoạch hoặc khi phát sinh",
    }


def deadline_first(query: Query, groups: list[GroupBlock]) -> list[GroupBlock]:
    """A plan's groups regrouped by deadline (due, overdue, ongoing, guidance, coordination…),
    each sorted by end date, each item with its normalised deadline, status and role."""
    regrouped: dict[GroupKind, list[Item]] = {}
    kept: list[GroupBlock] = []
    for group in groups:
        items = []
        for item in group.items:
            status = deadline_status(item, query.today) if item.deadline_kind else None
            items.append(item.model_copy(update={
                "deadline_label": deadline_label(item) if item.deadline_kind else "", "status": status,
                "role": _role(item, group.kind)}))
        if group.kind in _LEAD_SIDE and all(i.status for i in items):
            for item in items:
                regrouped.setdefault(_GROUP_OF_STATUS[item.status], []).append(item)
        else:
            keep_order = group.kind in (GroupKind.TEXT, GroupKind.OTHER)
            kept.append(group.model_copy(update={"items": items if keep_order else sorted(items, key=_sort_key)}))
    titles = _titles(query)
    built = [GroupBlock(kind=kind, title=titles[kind], count=len(items), items=sorted(items, key=_sort_key))
             for kind, items in regrouped.items()]
    return sorted(built + kept, key=lambda g: _ORDER.index(g.kind) if g.kind in _ORDER else len(_ORDER))


def summary(groups: list[GroupBlock], query: Query) -> SummaryBlock | None:
    """«Đến hạn trong quý IV/2022: 4 · Quá hạn: 2 · Đang thực hiện/thường xuyên: 10 · Phối hợp: 9»."""
    labels = {**_SUMMARY_LABELS, GroupKind.DUE: _titles(query)[GroupKind.DUE]}
    counts = [SummaryCount(kind=g.kind, label=labels[g.kind], count=g.count) for g in groups if g.kind in labels]
    if not counts:
        return None
    return SummaryBlock(text=" · ".join(f"{c.label}: {c.count}" for c in counts), counts=counts)
