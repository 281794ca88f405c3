"""/donvi: an official chooses "my agency" (searched by name or abbreviation) and province.

The choice is kept in ``user_data`` (PicklePersistence), so it survives a restart.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, ForceReply, Message, Update
from telegram.ext import ContextTypes

from bots.telegram import keyboards, texts
from bots.telegram.formatting import escape
from bots.telegram.profile import Profile, provinces, search_agencies
from bots.telegram.replies import reply_html
from bots.telegram.services import Services
from indexer.agencies import Agency

logger = logging.getLogger(__name__)

AWAITING_KEY = "awaiting_agency_name"  # user_data: /donvi asked this user for a name


class AgencyChooser:
    def __init__(self, services: Services):
        self.services = services

    async def donvi(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/donvi [name]: offer matching agencies, or ask for a name."""
        message = update.effective_message
        text = " ".join(context.args or [])
        if text:
            await self._offer(message, text)
            return
        context.user_data[AWAITING_KEY] = True
        profile = Profile.load(context.user_data)
        current = (
            texts.DONVI_CURRENT.format(agency=escape(profile.agency_name), province=escape(profile.province)) + "\n"
            if profile else ""
        )
        await message.reply_html(current + texts.DONVI_PROMPT, do_quote=True,
                                 reply_markup=ForceReply(selective=True, input_field_placeholder="Ví dụ: Sở Nội vụ"))

    async def take_awaited_name(self, update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> bool:
        """When /donvi asked this user for a name, read the text as that name (a question is not one)."""
        if context.user_data is None or not context.user_data.pop(AWAITING_KEY, False):
            return False
        if not text or text.endswith("?"):
            return False
        await self._offer(update.effective_message, text)
        return True

    async def _offer(self, message: Message, text: str) -> None:
        found = search_agencies(self.services.agencies, text)
        if not found:
            await reply_html(message, texts.DONVI_NOT_FOUND.format(text=escape(text)))
            return
        await message.reply_html(texts.DONVI_CHOOSE, do_quote=True, reply_markup=keyboards.agency_choices(found))

    async def chose_agency(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An agency button: ask for the province."""
        query = update.callback_query
        if not await self._own(query):
            return
        agency = self._agency(keyboards.parts(query.data)[1])
        if agency is None:
            await query.answer(texts.DONVI_STALE, show_alert=True)
            return
        await query.answer()
        await query.edit_message_text(
            texts.DONVI_PROVINCE.format(agency=escape(agency.name)),
            reply_markup=keyboards.province_choices(agency.id, provinces(self.services.plans)),
        )

    async def chose_province(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A province button: save agency and province as the official's profile."""
        query = update.callback_query
        if not await self._own(query):
            return
        _, agency_id, number = [*keyboards.parts(query.data), "", ""][:3]
        agency, names = self._agency(agency_id), provinces(self.services.plans)
        if agency is None or not number.isdigit() or int(number) >= len(names):
            await query.answer(texts.DONVI_STALE, show_alert=True)
            return
        profile = Profile(agency.id, agency.name, names[int(number)])
        profile.save(context.user_data)
        await context.application.update_persistence()  # saved now, not at the next 30 s tick
        context.user_data.pop(AWAITING_KEY, None)
        logger.info("User %s chose %s, %s", query.from_user.id, profile.agency_id, profile.province)
        await query.answer()
        await query.edit_message_text(
            texts.DONVI_SAVED.format(agency=escape(profile.agency_name), province=escape(profile.province))
        )

    async def cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Cancel: keep the profile as it was."""
        query = update.callback_query
        if not await self._own(query):
            return
        context.user_data.pop(AWAITING_KEY, None)
        await query.answer()
        await query.edit_message_text(texts.DONVI_CANCELLED)

    def _agency(self, agency_id: str) -> Agency | None:
        try:
            agency = self.services.agencies.get(agency_id)
        except KeyError:
            return None
        return None if agency.collective else agency

    @staticmethod
    async def _own(query: CallbackQuery) -> bool:
        """In groups, only the official whose message the keyboard answers may press it."""
        message = query.message
        replied = message.reply_to_message if isinstance(message, Message) else None
        if replied is not None and replied.from_user is not None and replied.from_user.id != query.from_user.id:
            await query.answer(texts.NOT_YOUR_KEYBOARD, show_alert=True)
            return False
        return True
