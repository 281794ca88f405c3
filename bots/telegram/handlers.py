"""Handlers for questions, duty commands, cited rows and feedback, plus the error handler.

Domain errors (CchcError: a question too long, an unknown row id, …) become their Vietnamese
message here; anything else reaches :meth:`BotHandlers.on_error`, which logs it first and then
apologises to the user.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import re
import secrets
from typing import Any

from telegram import InlineKeyboardMarkup, InputFile, Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from assistant.context import shown_items
from assistant.contract import Answer, ClarifyKind, Role
from bots.feedback import Feedback
from bots.telegram import keyboards, texts
from bots.telegram.access import DEEP_LINK_ROW, JOINED_KEY, REFUSED_KEY, join_code_in, start_argument
from bots.telegram.formatting import ROW_COMMAND, bullet_list, escape, record_html
from bots.telegram.pages import Page, answer_pages, numbered_ids
from bots.telegram.reference import reference_date, reference_line
from bots.telegram.profile import Duty, Profile, provinces
from bots.telegram.replies import edit_safely, reply_html, typing
from bots.telegram.smalltalk import is_thanks
from bots.telegram.services import Services
from cchc.errors import CchcError, FeedbackFullError, FeedbackQuotaError, FeedbackRejectedError
from service.app import DutyPeriod
from service.export import ExportFormat, ExportGroup, ExportScope, answer_groups

logger = logging.getLogger(__name__)

ANSWERS_KEY = "answers"  # chat_data: recent answers, by key, for their buttons (pages, Excel, 👍/👎)
SHOWN_KEY = "shown"  # chat_data: message id of a sent answer -> the record ids it showed, in order
KEPT_SHOWN = 50  # answers a reply may still point at, per chat
# What each duty command names: period, role, and the line shown above its answer.
DUTIES: dict[str, tuple[DutyPeriod, Role, str]] = {
    "this_quarter": (DutyPeriod.THIS_QUARTER, Role.LEAD, "việc chủ trì trong quý này"),
    "next_quarter": (DutyPeriod.NEXT_QUARTER, Role.LEAD, "việc chủ trì trong quý sau"),
    "coordinating": (DutyPeriod.THIS_YEAR, Role.COORDINATING, "việc phối hợp cả năm"),
}
ROW_COMMAND_PATTERN = re.compile(rf"^/{ROW_COMMAND}_([A-Za-z0-9_]{{1,60}}?)(?:@(\w+))?$")


def _choices(answer: Answer) -> list[str]:
    """The full questions a question asked back offers («Sở Nội vụ tỉnh Hà Tĩnh …?»), one button each."""
    return list(answer.query.clarify.choices) if answer.query.clarify is not None else []


async def answer_quietly(query: Any, text: str | None = None) -> None:
    """Answer a button press; a failure here (too old, network) must not stop what the press asked."""
    try:
        await query.answer(text)
    except TelegramError as exc:
        logger.warning("Could not answer callback query: %s", exc)


class BotHandlers:
    def __init__(self, services: Services, kept_answers: int = 200):
        self.services = services
        self.kept_answers = kept_answers  # per chat: an answer's buttons work while it is kept

    def today(self, context: ContextTypes.DEFAULT_TYPE) -> dt.date:
        """The day questions are asked as of: the chat's /ngay date, else the clock's."""
        return reference_date(context.chat_data) or self.services.today()

    # -- greeting and help ------------------------------------------------------------------
    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Greet the official, list the indexed plans and explain how to ask; a shared link
        (/start row_<id>) opens the row it points at."""
        message = update.effective_message
        argument = start_argument(update) or ""
        if argument.startswith(DEEP_LINK_ROW):
            await self._show_record(message, argument.removeprefix(DEEP_LINK_ROW))
            return
        plans = bullet_list(
            f"{escape(p.short_title)} — {escape(p.title)} ({escape(p.province)}, năm {p.year})"
            for p in self.services.plans
        ) or texts.NO_PLANS
        example = self._example_question()
        text = texts.WELCOME.format(name=escape(update.effective_user.first_name), plans=plans, example=example)
        if join_code_in(update) is not None and update.effective_user.id in context.bot_data.get(JOINED_KEY, ()):
            text = f"{texts.JOINED}\n\n{text}"
        await reply_html(message, text)

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Example questions and the command list."""
        profile = Profile.load(context.user_data)
        province = profile.province if profile else (provinces(self.services.plans) or ["Hà Tĩnh"])[0]
        agency = profile.agency_name if profile else "Sở Nội vụ"
        await reply_html(update.effective_message, texts.HELP.format(agency=escape(agency), province=escape(province)))

    def _example_question(self) -> str:
        province = (provinces(self.services.plans) or ["Hà Tĩnh"])[0]
        return escape(f"Sở Nội vụ tỉnh {province} chủ trì những việc gì trong quý này?")

    # -- questions --------------------------------------------------------------------------
    async def this_quarter(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/quynay: my agency's duties this quarter."""
        await self._duty(update, context, "this_quarter")

    async def next_quarter(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/quysau: my agency's duties next quarter."""
        await self._duty(update, context, "next_quarter")

    async def coordinating(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/phoihop: where my agency coordinates."""
        await self._duty(update, context, "coordinating")

    async def _duty(self, update: Update, context: ContextTypes.DEFAULT_TYPE, duty: Duty) -> None:
        """Named, not phrased: the same entry point as the web chat's quick buttons."""
        profile = Profile.load(context.user_data)
        if profile is None:
            await reply_html(update.effective_message, texts.NEED_AGENCY)
            return
        message = update.effective_message
        period, role, label = DUTIES[duty]
        async with self.services.chat_lock(message.chat_id):
            today = self.today(context)
            async with typing(message):
                answer = await asyncio.to_thread(functools.partial(
                    self.services.service.duties, profile.agency_id, profile.province, period, role, today,
                    f"telegram:{message.chat_id}"))
            title = f"📌 {profile.agency_name} — {profile.province}: {label}"
            await self._send(message, context, title, answer, today.isoformat(), title=title)

    async def question(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A text message, or a photo's caption: a question to answer with cited rows."""
        message = update.effective_message
        text = message.text or message.caption or ""
        if context.bot.username:
            text = re.sub(rf"@{re.escape(context.bot.username)}\b", " ", text, flags=re.IGNORECASE)
        text = " ".join(text.split())
        if not text:
            await reply_html(message, texts.EMPTY_MENTION)
            return
        if is_thanks(text):
            await reply_html(message, texts.YOU_ARE_WELCOME)
            return
        await self._answer(message, context, text)

    async def _answer(self, message: Message, context: ContextTypes.DEFAULT_TYPE, question: str,
                      title: str | None = None) -> None:
        profile = Profile.load(context.user_data)
        chat_data = context.chat_data if context.chat_data is not None else {}
        # A reply to an earlier answer refers to that answer's items («việc thứ 2»).
        replied = message.reply_to_message.message_id if message.reply_to_message else None
        shown = chat_data.get(SHOWN_KEY, {}).get(str(replied)) if replied is not None else None
        async with self.services.chat_lock(message.chat_id):
            today = self.today(context)
            try:
                async with typing(message):
                    answer: Answer = await asyncio.to_thread(  # CPU work: off the event loop
                        functools.partial(self.services.service.ask, question, session=f"telegram:{message.chat_id}",
                                          today=today, profile=profile.asked_by if profile else None,
                                          continued=bool(chat_data.get(ANSWERS_KEY)), shown=shown)
                    )
            except CchcError as exc:  # the question as asked cannot be answered (empty, too long, …)
                await reply_html(message, escape(str(exc)))
                return
            clarify = answer.query.clarify
            if clarify is not None and clarify.kind is ClarifyKind.CHOOSE_PROFILE:
                await reply_html(message, texts.NEED_AGENCY)  # this channel's own picker: /donvi
                return
            await self._send(message, context, question, answer, today.isoformat(), title=title)
        logger.info("Answered chat %s: %d citations, found=%s", message.chat_id, len(answer.citations), answer.found)

    async def _send(self, message: Message, context: ContextTypes.DEFAULT_TYPE, question: str, answer: Answer,
                    today: str, title: str | None = None) -> None:
        """The answer as one message, paged when long (◀ ▶ edit it in place)."""
        html, keyboard = self.first_page(context, question, answer, today, title)
        sent = await reply_html(message, html, keyboard)
        self._remember_shown(context.chat_data, sent.message_id, shown_items(answer))

    @staticmethod
    def _remember_shown(chat_data: dict[str, Any] | None, message_id: int, shown: list[str]) -> None:
        """What a later reply to this message refers to; the latest KEPT_SHOWN answers per chat."""
        if chat_data is None:
            return
        kept: dict[str, list[str]] = chat_data.setdefault(SHOWN_KEY, {})
        kept[str(message_id)] = shown
        for old in list(kept)[:-KEPT_SHOWN]:
            del kept[old]

    def first_page(self, context: ContextTypes.DEFAULT_TYPE, question: str, answer: Answer, today: str,
                   title: str | None = None) -> tuple[str, InlineKeyboardMarkup | None]:
        """An answer's first page and its keyboard; the pages are kept in chat_data for ◀ ▶.
        ``title`` heads the answer when the bot asked on the user's behalf (/quynay, a digest)."""
        shown_date = reference_line(context.chat_data)
        title = "\n".join(line for line in (shown_date, title) if line) or None
        pages = answer_pages(answer, title=title)
        key = self._remember(context.chat_data, question, answer, today, pages)
        return pages[0].html(1, len(pages)), keyboards.page_keyboard(pages[0].rows, 0, len(pages), key,
                                                                      follow_ups=_choices(answer))

    def _remember(self, chat_data: dict[str, Any] | None, question: str, answer: Answer, today: str,
                  pages: list[Page]) -> str | None:
        if chat_data is None:
            return None
        kept: dict[str, dict[str, Any]] = chat_data.setdefault(ANSWERS_KEY, {})
        key = secrets.token_hex(4)
        # The answer itself stays on the server (chat_data), so its id needs no signature here.
        kept[key] = {"question": question, "answer": answer.answer, "today": today, "rated": False,
                     "citations": [c.id for c in answer.citations], "answer_id": f"telegram-{secrets.token_hex(12)}",
                     "scope": ExportScope.of(answer.query, question).model_dump(mode="json"),
                     "groups": [group.model_dump() for group in answer_groups(answer)],
                     "follow_ups": _choices(answer),
                     "numbered": numbered_ids(answer), "page": 0,
                     "pages": [(page.html(n, len(pages)), page.rows) for n, page in enumerate(pages, start=1)]}
        for old in list(kept)[:-self.kept_answers]:
            del kept[old]
        return key

    # -- pages and exports ------------------------------------------------------------------
    async def page(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """◀ / ▶ / a page number under a paged answer: that page, in the same message. The page
        shown is kept per answer, so a double tap or the page already shown changes nothing."""
        query = update.callback_query
        _, key, number = [*keyboards.parts(query.data), "", ""][:3]
        kept = (context.chat_data or {}).get(ANSWERS_KEY, {}).get(key)
        if kept is None or not number.isdigit() or int(number) >= len(kept.get("pages", [])):
            await answer_quietly(query, texts.PAGE_EXPIRED)
            return
        await answer_quietly(query)
        wanted = int(number)
        if not isinstance(query.message, Message):
            return
        markup = keyboards.page_keyboard(kept["pages"][wanted][1], wanted, len(kept["pages"]), key,
                                         rated=kept["rated"], follow_ups=kept.get("follow_ups", []))
        if wanted == kept.get("page", 0):  # the page shown: only its keyboard may differ (after the page list)
            await edit_safely(query.edit_message_reply_markup(markup))
            return
        await edit_safely(query.edit_message_text(kept["pages"][wanted][0], reply_markup=markup))
        kept["page"] = wanted

    async def jump(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The page counter: every page number, one tap away."""
        query = update.callback_query
        key = [*keyboards.parts(query.data), ""][1]
        kept = (context.chat_data or {}).get(ANSWERS_KEY, {}).get(key)
        if kept is None or not isinstance(query.message, Message):
            await answer_quietly(query, texts.PAGE_EXPIRED)
            return
        await answer_quietly(query)
        await edit_safely(query.edit_message_reply_markup(
            keyboards.jump_keyboard(key, kept.get("page", 0), len(kept["pages"]))))

    async def excel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """«Tải Excel»: the answer's cited rows as an .xlsx document."""
        query = update.callback_query
        kept = (context.chat_data or {}).get(ANSWERS_KEY, {}).get(keyboards.parts(query.data)[1])
        if kept is None:
            await answer_quietly(query, texts.PAGE_EXPIRED)
            return
        await answer_quietly(query)
        scope = ExportScope.model_validate(kept.get("scope") or {"question": kept["question"]})
        groups = [ExportGroup.model_validate(group) for group in kept.get("groups", [])]
        ids = kept.get("numbered") or kept["citations"]  # the order the pages number them: STT matches
        file = await asyncio.to_thread(self.services.service.export, ids, ExportFormat.XLSX, scope, groups)
        await context.bot.send_document(update.effective_chat.id, InputFile(file.content, filename=file.filename),
                                        caption=texts.EXCEL_CAPTION)

    async def follow_up(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A choice under a question asked back («tỉnh nào?»): ask the full question it holds."""
        query = update.callback_query
        _, key, number = [*keyboards.parts(query.data), "", ""][:3]
        kept = (context.chat_data or {}).get(ANSWERS_KEY, {}).get(key)
        choices = kept.get("follow_ups", []) if kept else []
        if not number.isdigit() or int(number) >= len(choices) or not isinstance(query.message, Message):
            await answer_quietly(query, texts.PAGE_EXPIRED)
            return
        await answer_quietly(query)
        question = choices[int(number)]
        await self._answer(query.message, context, question, title=f"Câu hỏi: {question}")

    async def unknown_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Button data no handler knows (an old keyboard): answered, never left spinning."""
        await answer_quietly(update.callback_query, texts.UNKNOWN_BUTTON)

    # -- cited rows -------------------------------------------------------------------------
    async def row_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/row_<id>: show a cited row in full with its column headings."""
        message = update.effective_message
        match = ROW_COMMAND_PATTERN.match(message.text or "")
        if match is None or (match.group(2) and match.group(2).lower() != (context.bot.username or "").lower()):
            return
        await self._show_record(message, match.group(1))

    async def row_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """«Xem dòng»: show the cited row under the answer."""
        query = update.callback_query
        record_id = keyboards.parts(query.data)[1]
        await query.answer()
        if isinstance(query.message, Message):
            await self._show_record(query.message, record_id)

    async def _show_record(self, message: Message, record_id: str) -> None:
        try:
            record = self.services.record(record_id)
        except CchcError as exc:
            await reply_html(message, escape(str(exc)))
            return
        await reply_html(message, record_html(record))

    # -- feedback ---------------------------------------------------------------------------
    async def feedback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """👍/👎 under an answer: store it with FeedbackStore (channel "telegram")."""
        query = update.callback_query
        _, rating, key = keyboards.parts(query.data)[:3]
        kept = (context.chat_data or {}).get(ANSWERS_KEY, {}).get(key)
        if kept is None:
            await query.answer(texts.FEEDBACK_EXPIRED)
            return
        if kept["rated"]:
            await query.answer(texts.ALREADY_RATED)
            return
        entry = Feedback(channel="telegram", rating=rating, question=kept["question"], answer=kept["answer"],
                         session=f"telegram:{update.effective_chat.id}", today=kept["today"],
                         citations=kept["citations"], answer_id=kept.get("answer_id") or f"telegram-{key}",
                         client=f"telegram:{update.effective_user.id}")
        try:
            await asyncio.to_thread(self.services.feedback.add, entry)
        except (FeedbackFullError, FeedbackQuotaError, FeedbackRejectedError) as exc:
            logger.warning("feedback not stored: %s", exc)
            await query.answer(str(exc), show_alert=True)
            return
        kept["rated"] = True
        logger.info("Feedback %s from user %s", rating, update.effective_user.id)
        await query.answer(texts.THANKS_UP if rating == "up" else texts.THANKS_DOWN)
        if isinstance(query.message, Message):
            await query.edit_message_reply_markup(keyboards.without_feedback(query.message.reply_markup))

    # -- everything else --------------------------------------------------------------------
    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A command this bot does not have (answered in private chats only)."""
        if update.effective_chat.type == "private":
            await reply_html(update.effective_message, texts.UNKNOWN_COMMAND)

    async def not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A photo, sticker, file… in a private chat."""
        if update.effective_chat.type == "private":
            await reply_html(update.effective_message, texts.TEXT_ONLY)

    async def added_to_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Greet a group the bot was just added to, and say how to ask there."""
        change = update.my_chat_member
        if change is None or change.chat.type == "private":
            return
        if change.old_chat_member.status in ("left", "kicked") and change.new_chat_member.status in ("member", "administrator"):
            await context.bot.send_message(change.chat.id, texts.GROUP_GREETING.format(example=self._example_question()))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the error first, report it to the admin chat, then apologise in one short line to
        whoever was talking to the bot."""
        update_id = update.update_id if isinstance(update, Update) else None
        logger.error("Error while handling update %s", update_id, exc_info=context.error)
        if self.services.admin_chat_id is not None:
            chat = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
            report = texts.ERROR_REPORT.format(update=update_id, chat=chat, error=type(context.error).__name__)
            try:
                await context.bot.send_message(self.services.admin_chat_id, escape(report))
            except TelegramError as exc:
                logger.warning("Could not report the error to the admin chat: %s", exc)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        if update.effective_user and update.effective_user.id in context.bot_data.get(REFUSED_KEY, ()):
            return
        try:
            if update.callback_query is not None:
                await update.callback_query.answer()
        except TelegramError:
            pass  # already answered, or too old
        try:
            await context.bot.send_message(update.effective_chat.id, escape(texts.APOLOGY))
        except TelegramError as exc:
            logger.warning("Could not send the apology to chat %s: %s", update.effective_chat.id, exc)
