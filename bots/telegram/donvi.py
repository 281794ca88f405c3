"""/donvi: an official chooses "my agency" and province, with buttons first.

A ConversationHandler: /donvi offers the agencies found in most provinces' plans as buttons (or
searches its argument); a typed text is taken as an agency only when it closely matches one's
name or abbreviation, and is otherwise answered as the question it is. /cancel or «Hủy» ends it,
and a timeout ends it silently. The wait is not persisted, so a /donvi left open across a restart
never swallows the next message. The choice is kept in ``user_data`` (persistence, written as soon
as it changes), so it survives a restart.
"""

from __future__ import annotations

import logging
import warnings
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from difflib import SequenceMatcher

from telegram import Message, Update
from telegram.warnings import PTBUserWarning
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bots.telegram import keyboards, texts
from bots.telegram.formatting import escape
from bots.telegram.profile import MIN_SIMILARITY, Profile, provinces, search_agencies
from bots.telegram.replies import own_keyboard, reply_html
from bots.telegram.services import Services
from indexer.agencies import Agency
from indexer.vntext import fold

logger = logging.getLogger(__name__)

ASK_NAME, CHOOSE = range(2)
END = ConversationHandler.END
OFFERED = 8  # agencies offered as buttons when /donvi names none


def _folded(text: str) -> str:
    return " ".join(fold(text).split())


def closely_named(agencies: Sequence[Agency], text: str) -> bool:
    """The typed text, as a whole, is (close to) one of these agencies' names or abbreviations:
    «tư pháp», «SNV», «Sở Nội vụ» are; «Sở Nội vụ làm gì quý này» is a question."""
    query = _folded(text)
    for agency in agencies:
        for name in map(_folded, {agency.name, agency.short, *agency.aliases}):
            if query == name or f" {query} " in f" {name} " or SequenceMatcher(None, query, name).ratio() >= MIN_SIMILARITY:
                return True
    return False


class AgencyChooser:
    def __init__(self, services: Services, ask: Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]):
        self.services = services
        self.ask = ask  # a typed text that names no agency is a question

    def conversation(self, timeout_seconds: float) -> ConversationHandler:
        # A question (ending in "?") is not a name: it falls through to the question handler.
        name = MessageHandler(filters.TEXT & ~filters.COMMAND & ~filters.Regex(r"\?\s*$"), self.name_given)
        with warnings.catch_warnings():
            # Per chat and user, buttons included, is what /donvi wants; PTB warns because some
            # bots want one conversation per message.
            warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
            return self._conversation(name, timeout_seconds)

    def _conversation(self, name: MessageHandler, timeout_seconds: float) -> ConversationHandler:
        return ConversationHandler(
            entry_points=[CommandHandler("donvi", self.donvi)],
            states={
                ASK_NAME: [name],
                CHOOSE: [CallbackQueryHandler(self.chose_agency, pattern=keyboards.AGENCY_PATTERN),
                         CallbackQueryHandler(self.chose_province, pattern=keyboards.PROVINCE_PATTERN), name],
            },
            fallbacks=[CommandHandler("cancel", self.cancel_command),
                       CallbackQueryHandler(self.cancel, pattern=keyboards.CANCEL_PATTERN)],
            conversation_timeout=timeout_seconds,
            name="donvi",
            persistent=False,  # a wait left open across a restart must not read the next message as a name
            allow_reentry=True,
        )

    async def donvi(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """/donvi [name]: offer matching agencies, or ask for a name."""
        message = update.effective_message
        text = " ".join(context.args or [])
        if text:
            return await self._offer(message, text)
        profile = Profile.load(context.user_data)
        current = (
            texts.DONVI_CURRENT.format(agency=escape(profile.agency_name), province=escape(profile.province)) + "\n"
            if profile else ""
        )
        await message.reply_html(current + texts.DONVI_PROMPT, do_quote=True,
                                 reply_markup=keyboards.agency_choices(self._common()))
        return CHOOSE

    async def name_given(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """A text while /donvi waits: an agency's name if it closely matches one, else a question."""
        text = " ".join((update.effective_message.text or "").split())
        if context.bot.username:
            text = text.replace(f"@{context.bot.username}", "").strip()
        if closely_named(search_agencies(self.services.agencies, text), text):
            return await self._offer(update.effective_message, text)
        await self.ask(update, context)
        return END

    def _common(self) -> list[Agency]:
        """The agencies most provinces' plans name, for the buttons /donvi opens with."""
        counts = Counter(choice.id for choice in self.services.service.agencies())
        ranked = sorted(counts, key=lambda agency_id: (-counts[agency_id], agency_id))
        common = [agency for agency_id in ranked if (agency := self._agency(agency_id))]
        return common[:OFFERED]

    async def _offer(self, message: Message, text: str) -> int:
        found = search_agencies(self.services.agencies, text)
        if not found:
            await reply_html(message, texts.DONVI_NOT_FOUND.format(text=escape(text)))
            return ASK_NAME
        await message.reply_html(texts.DONVI_CHOOSE, do_quote=True, reply_markup=keyboards.agency_choices(found))
        return CHOOSE

    async def chose_agency(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """An agency button: ask for the province."""
        query = update.callback_query
        if not await own_keyboard(query, texts.NOT_YOUR_KEYBOARD):
            return CHOOSE
        agency = self._agency(keyboards.parts(query.data)[1])
        if agency is None:
            await query.answer(texts.DONVI_STALE, show_alert=True)
            return CHOOSE
        await query.answer()
        await query.edit_message_text(
            texts.DONVI_PROVINCE.format(agency=escape(agency.name)),
            reply_markup=keyboards.province_choices(agency.id, provinces(self.services.plans)),
        )
        return CHOOSE

    async def chose_province(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """A province button: save agency and province as the official's profile."""
        query = update.callback_query
        if not await own_keyboard(query, texts.NOT_YOUR_KEYBOARD):
            return CHOOSE
        _, agency_id, number = [*keyboards.parts(query.data), "", ""][:3]
        agency, names = self._agency(agency_id), provinces(self.services.plans)
        if agency is None or not number.isdigit() or int(number) >= len(names):
            await query.answer(texts.DONVI_STALE, show_alert=True)
            return CHOOSE
        profile = Profile(agency.id, agency.name, names[int(number)])
        profile.save(context.user_data)
        await context.application.update_persistence()  # saved now, not at the next 30 s tick
        logger.info("User %s chose %s, %s", query.from_user.id, profile.agency_id, profile.province)
        await query.answer()
        await query.edit_message_text(
            texts.DONVI_SAVED.format(agency=escape(profile.agency_name), province=escape(profile.province))
        )
        return END

    async def cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """«Hủy»: keep the profile as it was."""
        query = update.callback_query
        if not await own_keyboard(query, texts.NOT_YOUR_KEYBOARD):
            return CHOOSE
        await query.answer()
        await query.edit_message_text(texts.DONVI_CANCELLED)
        return END

    async def cancel_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """/cancel: the same, typed."""
        await reply_html(update.effective_message, texts.DONVI_CANCELLED)
        return END

    async def outside(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A /donvi button pressed outside a /donvi conversation: someone else's, or an ended one."""
        query = update.callback_query
        if await own_keyboard(query, texts.NOT_YOUR_KEYBOARD):
            await query.answer(texts.DONVI_STALE, show_alert=True)

    def stray_buttons(self) -> CallbackQueryHandler:
        return CallbackQueryHandler(self.outside, pattern=f"{keyboards.AGENCY_PATTERN}|{keyboards.PROVINCE_PATTERN}|"
                                                          f"{keyboards.CANCEL_PATTERN}")

    def _agency(self, agency_id: str) -> Agency | None:
        try:
            agency = self.services.agencies.get(agency_id)
        except KeyError:
            return None
        return None if agency.collective else agency
