"""/donvi: an official chooses "my agency" (searched by name or abbreviation) and province.

A ConversationHandler: /donvi asks for a name (or takes it as its argument), the buttons choose
agency then province; /cancel or «Hủy» ends it, and so does a timeout, so a forgotten /donvi
never reads a later message as an agency name. The choice is kept in ``user_data``
(PicklePersistence, written as soon as it changes), so it survives a restart.
"""

from __future__ import annotations

import logging
import warnings

from telegram import ForceReply, Message, Update
from telegram.warnings import PTBUserWarning
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bots.telegram import keyboards, texts
from bots.telegram.formatting import escape
from bots.telegram.profile import Profile, provinces, search_agencies
from bots.telegram.replies import own_keyboard, reply_html
from bots.telegram.services import Services
from indexer.agencies import Agency

logger = logging.getLogger(__name__)

ASK_NAME, CHOOSE = range(2)
END = ConversationHandler.END


class AgencyChooser:
    def __init__(self, services: Services):
        self.services = services

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
                ConversationHandler.TIMEOUT: [TypeHandler(Update, self.timed_out)],
            },
            fallbacks=[CommandHandler("cancel", self.cancel_command),
                       CallbackQueryHandler(self.cancel, pattern=keyboards.CANCEL_PATTERN)],
            conversation_timeout=timeout_seconds,
            name="donvi",
            persistent=True,
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
                                 reply_markup=ForceReply(selective=True, input_field_placeholder="Ví dụ: Sở Nội vụ"))
        return ASK_NAME

    async def name_given(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """The name /donvi asked for."""
        text = " ".join((update.effective_message.text or "").split())
        if context.bot.username:
            text = text.replace(f"@{context.bot.username}", "").strip()
        return await self._offer(update.effective_message, text)

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

    async def timed_out(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/donvi was left unfinished: say so, so a later message is not expected to be a name."""
        if update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, texts.DONVI_TIMEOUT)

    def _agency(self, agency_id: str) -> Agency | None:
        try:
            agency = self.services.agencies.get(agency_id)
        except KeyError:
            return None
        return None if agency.collective else agency
