"""Inline keyboards and their callback data (at most 64 bytes each, as Telegram requires)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bots.telegram import texts
from indexer.agencies import Agency

MAX_CALLBACK_BYTES = 64

# Callback data: "<prefix>:<value>[:<value>]". The patterns are for CallbackQueryHandler.
AGENCY = "ag"
PROVINCE = "pv"
CANCEL = "donvi-cancel"
ROW = "row"
FEEDBACK = "fb"
PAGE = "pg"
EXCEL = "xl"
JUMP = "pj"  # the page counter: offers every page
JUMP_COLUMNS = 6
FOLLOW_UP = "fu"
REMINDER = "nv"
AGENCY_PATTERN = rf"^{AGENCY}:"
PROVINCE_PATTERN = rf"^{PROVINCE}:"
CANCEL_PATTERN = rf"^{CANCEL}$"
ROW_PATTERN = rf"^{ROW}:"
FEEDBACK_PATTERN = rf"^{FEEDBACK}:(up|down):"
PAGE_PATTERN = rf"^{PAGE}:"
EXCEL_PATTERN = rf"^{EXCEL}:"
JUMP_PATTERN = rf"^{JUMP}:"
FOLLOW_UP_PATTERN = rf"^{FOLLOW_UP}:"
REMINDER_PATTERN = rf"^{REMINDER}:"


def callback_data(*parts: str) -> str:
    """Join parts with ":"; refuse data Telegram would reject (BUTTON_DATA_INVALID)."""
    data = ":".join(parts)
    if not data or len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data must be 1-{MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def parts(data: str | None) -> list[str]:
    return (data or "").split(":")


def agency_choices(agencies: Sequence[Agency]) -> InlineKeyboardMarkup:
    """One button per candidate agency, then Cancel."""
    rows = [[InlineKeyboardButton(a.name, callback_data=callback_data(AGENCY, a.id))] for a in agencies]
    rows.append([InlineKeyboardButton(texts.CANCEL_BUTTON, callback_data=CANCEL)])
    return InlineKeyboardMarkup(rows)


def province_choices(agency_id: str, provinces: Sequence[str]) -> InlineKeyboardMarkup:
    """Provinces of the indexed plans, two per row; the chosen agency travels in the data."""
    buttons = [
        InlineKeyboardButton(name, callback_data=callback_data(PROVINCE, agency_id, str(number)))
        for number, name in enumerate(provinces)
    ]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([InlineKeyboardButton(texts.CANCEL_BUTTON, callback_data=CANCEL)])
    return InlineKeyboardMarkup(rows)


def without_feedback(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The same keyboard once the answer is rated: the 👍/👎 line removed."""
    if markup is None:
        return None
    rows = [
        row for row in markup.inline_keyboard
        if not any((button.callback_data or "").startswith(f"{FEEDBACK}:") for button in row)
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def page_keyboard(rows: Sequence[tuple[int, str, str]], page: int, pages: int, answer_key: str | None,
                  rated: bool = False, follow_ups: Sequence[str] = ()) -> InlineKeyboardMarkup | None:
    """One «📄 n» per row on this page, ◀ n/N ▶ when there are pages, «Tải Excel», the answer's
    follow-up questions (one tap asks one: «tỉnh nào?» choices), then 👍/👎."""
    buttons = [InlineKeyboardButton(f"📄 {number}", callback_data=callback_data(ROW, record_id))
               for number, record_id, _ in rows]
    lines = [buttons[i:i + 4] for i in range(0, len(buttons), 4)]
    if answer_key:  # the questions stay in chat_data: callback data holds 64 bytes
        lines += [[InlineKeyboardButton(question, callback_data=callback_data(FOLLOW_UP, answer_key, str(number)))]
                  for number, question in enumerate(follow_ups)]
    if answer_key and pages > 1:
        lines.append(_page_line(answer_key, page, pages))
    if answer_key and rows:
        lines.append([InlineKeyboardButton(texts.EXCEL_BUTTON, callback_data=callback_data(EXCEL, answer_key))])
    if answer_key and not rated:
        lines.append([
            InlineKeyboardButton(texts.FEEDBACK_UP, callback_data=callback_data(FEEDBACK, "up", answer_key)),
            InlineKeyboardButton(texts.FEEDBACK_DOWN, callback_data=callback_data(FEEDBACK, "down", answer_key)),
        ])
    return InlineKeyboardMarkup(lines) if lines else None


def _page_line(answer_key: str, page: int, pages: int) -> list[InlineKeyboardButton]:
    """◀ n/N ▶ without the arrow that would lead nowhere; n/N opens the page list."""
    line = [InlineKeyboardButton("◀", callback_data=callback_data(PAGE, answer_key, str(page - 1)))] if page > 0 else []
    line.append(InlineKeyboardButton(texts.PAGE_COUNTER.format(page=page + 1, pages=pages),
                                     callback_data=callback_data(JUMP, answer_key)))
    if page < pages - 1:
        line.append(InlineKeyboardButton("▶", callback_data=callback_data(PAGE, answer_key, str(page + 1))))
    return line


def jump_keyboard(answer_key: str, page: int, pages: int) -> InlineKeyboardMarkup:
    """Every page number (the current one marked), then «Quay lại» to the page as it was."""
    buttons = [InlineKeyboardButton(f"· {n + 1} ·" if n == page else str(n + 1),
                                    callback_data=callback_data(PAGE, answer_key, str(n))) for n in range(pages)]
    lines = [buttons[i:i + JUMP_COLUMNS] for i in range(0, len(buttons), JUMP_COLUMNS)]
    lines.append([InlineKeyboardButton(texts.JUMP_BACK, callback_data=callback_data(PAGE, answer_key, str(page)))])
    return InlineKeyboardMarkup(lines)
