"""Sending replies: long HTML split into several messages, and "typing…" while an answer is prepared."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable

from telegram import CallbackQuery, InlineKeyboardMarkup, Message
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError

from bots.telegram.formatting import split_html

logger = logging.getLogger(__name__)

TYPING_REFRESH_SECONDS = 4.5  # Telegram shows a chat action for about five seconds


async def reply_html(message: Message, text: str, keyboard: InlineKeyboardMarkup | None = None) -> Message:
    """Reply to ``message`` with HTML, split at line ends; the first part quotes the message and the
    keyboard goes on the last part. Returns the last message sent."""
    chunks = split_html(text)
    sent = message
    for number, chunk in enumerate(chunks):
        last = number == len(chunks) - 1
        sent = await message.reply_html(chunk, do_quote=number == 0, reply_markup=keyboard if last else None)
    return sent


@contextlib.asynccontextmanager
async def typing(message: Message) -> AsyncIterator[None]:
    """Show "typing…" in the message's chat until the block ends."""
    done = asyncio.Event()

    async def keep_typing() -> None:
        while not done.is_set():
            try:
                await message.reply_chat_action(ChatAction.TYPING)
            except TelegramError as exc:  # cosmetic: never fail an answer over it
                logger.debug("Could not send the typing action: %s", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), TYPING_REFRESH_SECONDS)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        done.set()
        await task


NOT_MODIFIED = "message is not modified"


async def edit_safely(edit: Awaitable[object]) -> None:
    """Run an edit of a message or its keyboard. An edit that would change nothing (a double tap,
    the page already shown) is what was wanted: Telegram's «message is not modified» is success."""
    try:
        await edit
    except BadRequest as exc:
        if NOT_MODIFIED not in exc.message.lower():
            raise
        logger.debug("Edit skipped: the message already shows it")


async def own_keyboard(query: CallbackQuery, refusal: str) -> bool:
    """In groups, only the official whose message a keyboard answers may press it."""
    message = query.message
    replied = message.reply_to_message if isinstance(message, Message) else None
    if replied is not None and replied.from_user is not None and replied.from_user.id != query.from_user.id:
        await query.answer(refusal, show_alert=True)
        return False
    return True
