"""/ngay: a chat asks as of another day («quý này», «30 ngày tới» counted from it), so a trainer or
a tester can use past plans. The date is kept in the chat's data (persistence) and named at the top
of every answer while it is set; /ngay bo returns to today's clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import MutableMapping
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bots.telegram import texts
from bots.telegram.replies import reply_html
from indexer.vntext import fold

REFERENCE_KEY = "reference_date"  # chat_data: ISO date
CLEAR_WORDS = frozenset({"bo", "huy", "xoa", "tat", "off", "hom nay"})
FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def reference_date(chat_data: MutableMapping[str, Any] | None) -> dt.date | None:
    stored = (chat_data or {}).get(REFERENCE_KEY)
    try:
        return dt.date.fromisoformat(stored) if isinstance(stored, str) else None
    except ValueError:
        return None


def reference_line(chat_data: MutableMapping[str, Any] | None) -> str | None:
    """The line every answer opens with while a reference date is set."""
    day = reference_date(chat_data)
    return texts.REFERENCE_LINE.format(date=f"{day:%d/%m/%Y}") if day else None


def parse_day(text: str) -> dt.date | None:
    for pattern in FORMATS:
        try:
            day = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return day if EARLIEST <= day <= LATEST else None
    return None


async def command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ngay [YYYY-MM-DD | DD/MM/YYYY | bo]: show, set or clear the chat's reference date."""
    message = update.effective_message
    argument = " ".join(context.args or [])
    current = reference_date(context.chat_data)
    if not argument:
        text = texts.REFERENCE_IS.format(date=f"{current:%d/%m/%Y}") if current else texts.REFERENCE_NONE
        await reply_html(message, text)
        return
    if fold(argument) in CLEAR_WORDS:
        context.chat_data.pop(REFERENCE_KEY, None)
        await context.application.update_persistence()
        await reply_html(message, texts.REFERENCE_CLEARED)
        return
    day = parse_day(argument)
    if day is None:
        await reply_html(message, texts.REFERENCE_BAD)
        return
    context.chat_data[REFERENCE_KEY] = day.isoformat()
    await context.application.update_persistence()
    await reply_html(message, texts.REFERENCE_SET.format(date=f"{day:%d/%m/%Y}"))
