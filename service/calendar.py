"""An agency's duties as a calendar feed (RFC 5545, built with icalendar) that Outlook and Google
Calendar subscribe to.

One all-day event per dated task, on its end date, naming the task, the agency's role, the plan
and the cited row (with a link when the public address is known). Recurring, whole-year and
event-triggered tasks have no date to put in a calendar: they are listed in the feed's
description instead of being given invented dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from icalendar import Calendar, Event, vText

from assistant.contract import Answer, GroupBlock, Item
from indexer.records import PeriodKind
from service.export import slug

PRODUCT = "-//Tro ly CCHC//Lich nhiem vu//VI"
UID_DOMAIN = "tro-ly-cchc"
SUMMARY_LENGTH = 200


def feed_name(agency_id: str, province: str) -> str:
    """The stable name in the subscribe URL: "so-noi-vu-ha-tinh"."""
    return f"{agency_id}-{slug(province)}"


def parse_feed_name(name: str, provinces: Iterable[str]) -> tuple[str, str] | None:
    """(agency id, province) from a feed name, or None when no province ends it."""
    for province in sorted(provinces, key=lambda p: -len(slug(p))):
        suffix = f"-{slug(province)}"
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], province
    return None


def _items(answer: Answer) -> list[Item]:
    return list({item.id: item for block in answer.blocks if isinstance(block, GroupBlock) for item in block.items}.values())


def _first_line(text: str) -> str:
    line = " ".join(text.strip().split("\n")[0].split())
    return line if len(line) <= SUMMARY_LENGTH else line[:SUMMARY_LENGTH].rsplit(" ", 1)[0] + " …"


def is_dated(item: Item) -> bool:
    return item.deadline_kind == PeriodKind.DATED.value and item.deadline_end is not None


def _event(item: Item, stamp: dt.datetime, row_url: str | None) -> Event:
    event = Event()
    event.add("uid", f"{item.id}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", item.deadline_end)
    event.add("dtend", item.deadline_end + dt.timedelta(days=1))
    event.add("summary", _first_line(item.activity or item.task))
    source = " › ".join(part for part in (item.plan, item.section, item.row) if part)
    lines = [f"Vai trò: {item.role}" if item.role else "", f"Nhiệm vụ: {item.task}", f"Thời hạn: {item.deadline}",
             f"Sản phẩm: {item.product}" if item.product else "", f"Nguồn: {source}", row_url or ""]
    event.add("description", "\n".join(line for line in lines if line))
    event.add("transp", "TRANSPARENT")  # a deadline, not a meeting: it does not make anyone busy
    if row_url:
        event.add("url", row_url)
    return event


def calendar_feed(answer: Answer, agency: str, province: str, row_url: str | None = None) -> bytes:
    """The feed of the agency's duties in ``answer`` (a listing over every period). ``row_url``
    is a format string with ``{id}`` for the link to a cited row."""
    stamp = dt.datetime.combine(answer.query.today, dt.time(), tzinfo=dt.UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    name = f"Nhiệm vụ CCHC — {agency} — {province}"
    calendar.add("name", name)
    calendar.add("x-wr-calname", vText(name))
    items = _items(answer)
    undated = [f"• {_first_line(item.activity or item.task)} ({item.deadline or 'không ghi thời hạn'})"
               for item in items if not is_dated(item)]
    description = "Các nhiệm vụ có thời hạn cụ thể, mỗi việc một sự kiện vào ngày hết hạn."
    if undated:
        description += "\nViệc thường xuyên, cả năm hoặc theo sự kiện (không có ngày cụ thể):\n" + "\n".join(undated)
    calendar.add("description", description)
    calendar.add("x-wr-caldesc", vText(description))  # an X- property: escaped as text explicitly
    for item in sorted(filter(is_dated, items), key=lambda item: (item.deadline_end, item.id)):
        calendar.add_component(_event(item, stamp, row_url.format(id=item.id) if row_url else None))
    return calendar.to_ical()
