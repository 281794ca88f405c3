"""A digest: an agency's tasks due in a window (and those that fell overdue just before it), as one
short message; «Xem tất cả» under it opens the whole listing.

Built from an answer's items, never from its text: only dated tasks whose end date falls in the
window are listed, soonest first. Recurring and event-triggered tasks are not deadlines and stay
in the full listing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.contract import Answer, GroupBlock, Item
from assistant.periods import current_quarter, quarter_period
from bots.telegram import texts
from bots.telegram.formatting import escape
from indexer.records import PeriodKind, PlanDocument

SHORT = 160  # characters of a task a digest line shows


@dataclass(frozen=True)
class Window:
    """Tasks due from ``start`` to ``end`` (inclusive); overdue ones from ``overdue_since`` to the day before ``start``."""

    start: dt.date
    end: dt.date
    overdue_since: dt.date | None = None

    @classmethod
    def coming(cls, today: dt.date, days: int, overdue_days: int = 0) -> Window:
        since = today - dt.timedelta(days=overdue_days) if overdue_days else None
        return cls(today, today + dt.timedelta(days=days), since)

    @classmethod
    def quarter(cls, today: dt.date) -> Window:
        period = quarter_period(*current_quarter(today))
        return cls(period.start, period.end)

    def covered_by(self, plans: Iterable[PlanDocument], province: str) -> bool:
        """Some plan of the province is for a year the window touches."""
        first = (self.overdue_since or self.start).year
        return any(plan.province == province and first <= plan.year <= self.end.year for plan in plans)


def _items(answer: Answer) -> list[Item]:
    unique = {item.id: item for block in answer.blocks if isinstance(block, GroupBlock) for item in block.items}
    # Only dated deadlines: a recurring or whole-year task also carries the year's end as its end date.
    dated = [item for item in unique.values() if item.deadline_end and item.deadline_kind == PeriodKind.DATED.value]
    return sorted(dated, key=lambda item: (item.deadline_end, item.id))


def split(answer: Answer, window: Window) -> tuple[list[Item], list[Item]]:
    """(due in the window, overdue since ``overdue_since``), each soonest first."""
    items = _items(answer)
    due = [item for item in items if window.start <= item.deadline_end <= window.end]
    overdue = [item for item in items
               if window.overdue_since is not None and window.overdue_since <= item.deadline_end < window.start]
    return due, overdue


def _short(text: str) -> str:
    """A task's first line (a row may list several activities, one a line), cut at a word."""
    lines = text.strip().split("\n")
    first = " ".join(lines[0].split())
    if len(first) > SHORT:
        first = first[:SHORT].rsplit(" ", 1)[0]
    return first + (" …" if len(lines) > 1 or first != " ".join(lines[0].split()) else "")


def _line(item: Item) -> str:
    role = f" <i>({escape(' '.join(item.role.split()))})</i>" if item.role else ""
    return f"• <b>{item.deadline_end:%d/%m/%Y}</b> — {escape(_short(item.activity or item.task))}{role}"


def digest_html(title: str, window: Window, due: list[Item], overdue: list[Item], shown: int) -> str:
    """The short message: title, counts, the first ``shown`` tasks (overdue first), and how many more."""
    lines = [f"<b>{escape(title)}</b>",
             texts.DIGEST_COUNTS.format(start=f"{window.start:%d/%m}", end=f"{window.end:%d/%m/%Y}", due=len(due))]
    if overdue:
        lines.append(texts.DIGEST_OVERDUE_COUNT.format(count=len(overdue)))
    if not due and not overdue:
        lines.append(texts.DIGEST_NOTHING_DUE)
    listed = [*(f"⚠️ {_line(item)[2:]}" for item in overdue), *map(_line, due)]
    lines += ["", *listed[:shown]] if listed else []
    if len(listed) > shown:
        lines.append(texts.DIGEST_MORE.format(count=len(listed) - shown))
    return "\n".join(lines)
