"""/nhacviec: a weekly digest of an agency's tasks falling due soon, and one at each quarter's start.

A chat opts in with /nhacviec and chooses the day and the time with buttons. The choice, with the
agency and province of the official who made it, is kept in the chat's data, so the bot's
persistence carries it over a restart; ``restore`` (run from post_init) schedules every stored
reminder again on PTB's JobQueue.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import asdict, dataclass, replace
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, JobQueue

from assistant.contract import Role
from bots.telegram import keyboards, texts
from bots.telegram.formatting import escape
from bots.telegram.handlers import BotHandlers, answer_quietly
from bots.telegram.profile import Profile
from bots.telegram.replies import own_keyboard, reply_html
from service.app import DutyPeriod

logger = logging.getLogger(__name__)

REMINDER_KEY = "reminder"  # chat_data
TIMES = ("07:00", "07:30", "08:00", "09:00", "13:30", "16:30")
QUARTER_MONTHS = (1, 4, 7, 10)


@dataclass(frozen=True)
class Reminder:
    agency_id: str
    agency_name: str
    province: str
    weekday: int  # 0 = Monday, as datetime.date.weekday()
    time: str  # "HH:MM", Vietnam time
    quarterly: bool = True

    @classmethod
    def load(cls, chat_data: MutableMapping[str, Any] | None) -> Reminder | None:
        stored = (chat_data or {}).get(REMINDER_KEY)
        try:
            return cls(**stored) if isinstance(stored, dict) else None
        except TypeError:  # saved by another version: treat as not set
            return None

    def save(self, chat_data: MutableMapping[str, Any]) -> None:
        chat_data[REMINDER_KEY] = asdict(self)

    def clock(self, zone: ZoneInfo) -> dt.time:
        hour, minute = (int(part) for part in self.time.split(":"))
        return dt.time(hour, minute, tzinfo=zone)


class Digest(Enum):
    WEEKLY = "weekly"
    QUARTERLY = "quarterly"


class Action(str, Enum):
    DAY = "d"
    TIME = "t"
    QUARTERLY = "q"
    CHANGE = "c"
    STOP = "off"


def _data(action: Action, *values: str) -> str:
    return keyboards.callback_data(keyboards.REMINDER, action.value, *values)


def days_keyboard() -> InlineKeyboardMarkup:
    days = [InlineKeyboardButton(label, callback_data=_data(Action.DAY, str(number)))
            for number, label in enumerate(texts.WEEKDAY_BUTTONS)]
    return InlineKeyboardMarkup([days[:4], days[4:]])


def times_keyboard(weekday: int) -> InlineKeyboardMarkup:
    times = [InlineKeyboardButton(time, callback_data=_data(Action.TIME, str(weekday), time.replace(":", "")))
             for time in TIMES]
    return InlineKeyboardMarkup([times[:3], times[3:]])


def settings_keyboard(reminder: Reminder) -> InlineKeyboardMarkup:
    quarterly = (InlineKeyboardButton(texts.QUARTERLY_BUTTON_OFF, callback_data=_data(Action.QUARTERLY, "0"))
                 if reminder.quarterly else
                 InlineKeyboardButton(texts.QUARTERLY_BUTTON_ON, callback_data=_data(Action.QUARTERLY, "1")))
    return InlineKeyboardMarkup([
        [quarterly],
        [InlineKeyboardButton(texts.CHANGE_SCHEDULE_BUTTON, callback_data=_data(Action.CHANGE)),
         InlineKeyboardButton(texts.STOP_REMINDER_BUTTON, callback_data=_data(Action.STOP))],
    ])


class Reminders:
    """The /nhacviec command, its buttons, and the jobs that send the digests."""

    def __init__(self, handlers: BotHandlers, zone: ZoneInfo, days: int):
        self.handlers = handlers
        self.zone = zone
        self.days = days
        self._actions: dict[Action, Callable[..., Awaitable[None]]] = {
            Action.DAY: self._chose_day, Action.TIME: self._chose_time, Action.QUARTERLY: self._set_quarterly,
            Action.CHANGE: self._change, Action.STOP: self._stop,
        }

    def telegram_handlers(self) -> list[Any]:
        return [CommandHandler("nhacviec", self.command),
                CallbackQueryHandler(self.button, pattern=keyboards.REMINDER_PATTERN)]

    # -- the command and its buttons ---------------------------------------------------------
    async def command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/nhacviec: the chat's reminder as it is, with buttons to set, change or stop it."""
        message = update.effective_message
        reminder = Reminder.load(context.chat_data)
        if reminder is not None:
            await reply_html(message, self._status(reminder), settings_keyboard(reminder))
            return
        profile = Profile.load(context.user_data)
        if profile is None:
            await reply_html(message, texts.REMINDER_NEEDS_AGENCY)
            return
        text = texts.REMINDER_OFF.format(agency=escape(profile.agency_name), province=escape(profile.province),
                                         days=self.days)
        await reply_html(message, text, days_keyboard())

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if not await own_keyboard(query, texts.REMINDER_NOT_YOURS):
            return
        _, action, *values = keyboards.parts(query.data)
        try:
            handler = self._actions[Action(action)]
        except ValueError:
            await answer_quietly(query, texts.UNKNOWN_BUTTON)
            return
        await answer_quietly(query)
        await handler(update, context, *values)

    async def _chose_day(self, update: Update, context: ContextTypes.DEFAULT_TYPE, weekday: str = "") -> None:
        if not (weekday.isdigit() and int(weekday) < 7):
            return
        text = texts.REMINDER_CHOOSE_TIME.format(weekday=texts.WEEKDAYS[int(weekday)])
        await update.callback_query.edit_message_text(text, reply_markup=times_keyboard(int(weekday)))

    async def _chose_time(self, update: Update, context: ContextTypes.DEFAULT_TYPE, weekday: str = "",
                          time: str = "") -> None:
        profile = Profile.load(context.user_data)
        clock = f"{time[:2]}:{time[2:]}"
        if profile is None or not (weekday.isdigit() and int(weekday) < 7) or clock not in TIMES:
            await update.callback_query.edit_message_text(texts.REMINDER_NEEDS_AGENCY)
            return
        old = Reminder.load(context.chat_data)
        reminder = Reminder(profile.agency_id, profile.agency_name, profile.province, int(weekday), clock,
                            old.quarterly if old else True)
        await self._keep(update, context, reminder)

    async def _set_quarterly(self, update: Update, context: ContextTypes.DEFAULT_TYPE, value: str = "") -> None:
        reminder = Reminder.load(context.chat_data)
        if reminder is not None:
            await self._keep(update, context, replace(reminder, quarterly=value == "1"))

    async def _change(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.edit_message_text(texts.REMINDER_CHOOSE_DAY, reply_markup=days_keyboard())

    async def _stop(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat_id = update.effective_chat.id
        context.chat_data.pop(REMINDER_KEY, None)
        self.unschedule(context.job_queue, chat_id)
        await context.application.update_persistence()
        logger.info("Reminders stopped for chat %s", chat_id)
        await update.callback_query.edit_message_text(texts.REMINDER_STOPPED)

    async def _keep(self, update: Update, context: ContextTypes.DEFAULT_TYPE, reminder: Reminder) -> None:
        """Save the reminder now (not at the next persistence tick) and schedule its jobs."""
        chat_id = update.effective_chat.id
        reminder.save(context.chat_data)
        self.schedule(context.job_queue, chat_id, reminder)
        await context.application.update_persistence()
        logger.info("Reminder for chat %s: weekday %s at %s, quarterly=%s",
                    chat_id, reminder.weekday, reminder.time, reminder.quarterly)
        await update.callback_query.edit_message_text(self._status(reminder), reply_markup=settings_keyboard(reminder))

    def _status(self, reminder: Reminder) -> str:
        return texts.REMINDER_ON.format(
            agency=escape(reminder.agency_name), province=escape(reminder.province),
            weekday=texts.WEEKDAYS[reminder.weekday].lower(), time=reminder.time, days=self.days,
            quarterly=texts.QUARTERLY_ON if reminder.quarterly else texts.QUARTERLY_OFF)

    # -- jobs --------------------------------------------------------------------------------
    @staticmethod
    def job_name(chat_id: int, digest: Digest) -> str:
        return f"nhacviec:{chat_id}:{digest.value}"

    def schedule(self, jobs: JobQueue, chat_id: int, reminder: Reminder) -> None:
        self.unschedule(jobs, chat_id)
        clock = reminder.clock(self.zone)
        # JobQueue counts days from Sunday (0) to Saturday (6).
        jobs.run_daily(self.weekly, clock, days=((reminder.weekday + 1) % 7,), chat_id=chat_id,
                       name=self.job_name(chat_id, Digest.WEEKLY))
        if reminder.quarterly:
            jobs.run_monthly(self.quarterly, clock, day=1, chat_id=chat_id,
                             name=self.job_name(chat_id, Digest.QUARTERLY))

    def unschedule(self, jobs: JobQueue, chat_id: int) -> None:
        for digest in Digest:
            for job in jobs.get_jobs_by_name(self.job_name(chat_id, digest)):
                job.schedule_removal()

    async def restore(self, application: Application) -> None:
        """Schedule again the reminders kept in persistence (post_init, after a restart)."""
        restored = 0
        for chat_id, chat_data in application.chat_data.items():
            reminder = Reminder.load(chat_data)
            if reminder is not None:
                self.schedule(application.job_queue, chat_id, reminder)
                restored += 1
        logger.info("Reminders restored: %d", restored)

    async def weekly(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._digest(context, Digest.WEEKLY)

    async def quarterly(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Runs on the 1st of every month; sends only when a quarter starts."""
        if self.handlers.services.today().month in QUARTER_MONTHS:
            await self._digest(context, Digest.QUARTERLY)

    async def _digest(self, context: ContextTypes.DEFAULT_TYPE, digest: Digest) -> None:
        chat_id = context.job.chat_id
        reminder = Reminder.load(context.chat_data)
        if reminder is None:
            return
        period, header = {
            Digest.WEEKLY: (DutyPeriod.NEXT_DAYS, texts.REMINDER_WEEKLY),
            Digest.QUARTERLY: (DutyPeriod.THIS_QUARTER, texts.REMINDER_QUARTERLY),
        }[digest]
        title = header.format(agency=reminder.agency_name, province=reminder.province, days=self.days)
        services = self.handlers.services
        today = services.today()
        answer = await asyncio.to_thread(functools.partial(
            services.service.duties, reminder.agency_id, reminder.province, period, Role.ANY, today,
            f"telegram:{chat_id}", self.days))
        html, keyboard = self.handlers.first_page(context, title, answer, today.isoformat(), title=title)
        try:
            await context.bot.send_message(chat_id, html, reply_markup=keyboard)
        except Forbidden:  # the bot was blocked or removed: stop writing to that chat
            logger.info("Chat %s no longer reachable; its reminder is dropped", chat_id)
            context.chat_data.pop(REMINDER_KEY, None)
            self.unschedule(context.job_queue, chat_id)
