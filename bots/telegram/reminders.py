"""/nhacviec: a weekly digest of an agency's tasks falling due soon, and one at each quarter's start;
/bangviec: the same digest on demand.

A digest is one short message listing only dated tasks due in its window (the weekly one also
names those that fell overdue in the past week), with «Xem tất cả» for the whole listing. A chat
gets at most one digest a day (the quarter's replaces the weekly one on the 1st); when no plan of
the province covers the window there is no digest, and the admin chat is told once. A chat opts in with /nhacviec and chooses the day and the time with buttons. The choice, with the
agency and province of the official who made it, is kept in the chat's data, so the bot's
persistence carries it over a restart; ``restore`` (run from post_init) schedules every stored
reminder again on PTB's JobQueue.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import asdict, dataclass, replace
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, JobQueue

from assistant.contract import Role
from bots.telegram import keyboards, texts
from bots.telegram.digest import Window, digest_html, split
from bots.telegram.formatting import escape
from bots.telegram.handlers import BotHandlers, answer_quietly
from bots.telegram.profile import Profile
from bots.telegram.reference import reference_line
from bots.telegram.replies import edit_safely, own_keyboard, reply_html
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
    stamp: str = ""  # names this schedule in its status buttons: an older status message cannot change a newer one

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
    ALL = "all"  # «Xem tất cả» under a digest


# Buttons of a status message: they act only on the schedule that message showed.
STAMPED = frozenset({Action.QUARTERLY, Action.CHANGE, Action.STOP})
SENT_KEY = "digest_sent_on"  # chat_data: ISO day of the last digest (one a day at most)
UNCOVERED_KEY = "digest_uncovered_told"  # bot_data: periods the admin was told no plan covers
OVERDUE_DAYS = 7  # a weekly digest also names what fell overdue since the previous one


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
    stamp = reminder.stamp
    quarterly = (InlineKeyboardButton(texts.QUARTERLY_BUTTON_OFF, callback_data=_data(Action.QUARTERLY, "0", stamp))
                 if reminder.quarterly else
                 InlineKeyboardButton(texts.QUARTERLY_BUTTON_ON, callback_data=_data(Action.QUARTERLY, "1", stamp)))
    return InlineKeyboardMarkup([
        [quarterly],
        [InlineKeyboardButton(texts.CHANGE_SCHEDULE_BUTTON, callback_data=_data(Action.CHANGE, stamp)),
         InlineKeyboardButton(texts.STOP_REMINDER_BUTTON, callback_data=_data(Action.STOP, stamp))],
    ])


def all_keyboard(kind: Digest | None, day: dt.date) -> InlineKeyboardMarkup:
    """«Xem tất cả»: the whole listing of the digest's period, as of the digest's day."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        texts.DIGEST_ALL_BUTTON, callback_data=_data(Action.ALL, kind.value if kind else "board", f"{day:%Y%m%d}"))]])


class Reminders:
    """The /nhacviec command, its buttons, and the jobs that send the digests."""

    def __init__(self, handlers: BotHandlers, zone: ZoneInfo, days: int, shown: int = 8):
        self.handlers = handlers
        self.zone = zone
        self.days = days
        self.shown = shown  # tasks a digest lists before «Xem tất cả»
        self._actions: dict[Action, Callable[..., Awaitable[None]]] = {
            Action.DAY: self._chose_day, Action.TIME: self._chose_time, Action.QUARTERLY: self._set_quarterly,
            Action.CHANGE: self._change, Action.STOP: self._stop, Action.ALL: self._show_all,
        }

    def telegram_handlers(self) -> list[Any]:
        return [CommandHandler("nhacviec", self.command), CommandHandler("bangviec", self.board),
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
        if Action(action) in STAMPED:
            reminder = Reminder.load(context.chat_data)
            if reminder is None or values[-1:] != [reminder.stamp]:  # a status message older than the schedule
                await answer_quietly(query, texts.REMINDER_OLD_MENU)
                return
            values = values[:-1]
        await answer_quietly(query)
        await handler(update, context, *values)

    async def _chose_day(self, update: Update, context: ContextTypes.DEFAULT_TYPE, weekday: str = "") -> None:
        if not (weekday.isdigit() and int(weekday) < 7):
            return
        text = texts.REMINDER_CHOOSE_TIME.format(weekday=texts.WEEKDAYS[int(weekday)])
        await edit_safely(update.callback_query.edit_message_text(text, reply_markup=times_keyboard(int(weekday))))

    async def _chose_time(self, update: Update, context: ContextTypes.DEFAULT_TYPE, weekday: str = "",
                          time: str = "") -> None:
        profile = Profile.load(context.user_data)
        clock = f"{time[:2]}:{time[2:]}"
        if profile is None or not (weekday.isdigit() and int(weekday) < 7) or clock not in TIMES:
            await edit_safely(update.callback_query.edit_message_text(texts.REMINDER_NEEDS_AGENCY))
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
        await edit_safely(update.callback_query.edit_message_text(texts.REMINDER_CHOOSE_DAY, reply_markup=days_keyboard()))

    async def _stop(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat_id = update.effective_chat.id
        context.chat_data.pop(REMINDER_KEY, None)
        self.unschedule(context.job_queue, chat_id)
        await context.application.update_persistence()
        logger.info("Reminders stopped for chat %s", chat_id)
        await edit_safely(update.callback_query.edit_message_text(texts.REMINDER_STOPPED))

    async def _keep(self, update: Update, context: ContextTypes.DEFAULT_TYPE, reminder: Reminder) -> None:
        """Save the reminder now (not at the next persistence tick) and schedule its jobs; a new
        stamp retires the buttons of every earlier status message."""
        chat_id = update.effective_chat.id
        reminder = replace(reminder, stamp=secrets.token_hex(3))
        reminder.save(context.chat_data)
        self.schedule(context.job_queue, chat_id, reminder)
        await context.application.update_persistence()
        logger.info("Reminder for chat %s: weekday %s at %s, quarterly=%s",
                    chat_id, reminder.weekday, reminder.time, reminder.quarterly)
        await edit_safely(update.callback_query.edit_message_text(self._status(reminder),
                                                                  reply_markup=settings_keyboard(reminder)))

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
        reminder = Reminder.load(context.chat_data)
        today = self.handlers.services.today()
        if reminder is not None and reminder.quarterly and today.month in QUARTER_MONTHS and today.day == 1:
            return  # the quarter's digest goes out today instead: never both on one day
        await self._digest(context, Digest.WEEKLY)

    async def quarterly(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Runs on the 1st of every month; sends only when a quarter starts."""
        if self.handlers.services.today().month in QUARTER_MONTHS:
            await self._digest(context, Digest.QUARTERLY)

    def _window(self, kind: Digest | None, today: dt.date) -> Window:
        windows = {Digest.WEEKLY: lambda: Window.coming(today, self.days, OVERDUE_DAYS),
                   Digest.QUARTERLY: lambda: Window.quarter(today), None: lambda: Window.coming(today, self.days)}
        return windows[kind]()

    async def _digest(self, context: ContextTypes.DEFAULT_TYPE, kind: Digest) -> None:
        chat_id = context.job.chat_id
        reminder = Reminder.load(context.chat_data)
        today = self.handlers.services.today()
        if reminder is None or context.chat_data.get(SENT_KEY) == today.isoformat():
            return
        window = self._window(kind, today)
        if not window.covered_by(self.handlers.services.plans, reminder.province):
            await self._tell_admin_uncovered(context, reminder.province, window)
            return
        header = {Digest.WEEKLY: texts.REMINDER_WEEKLY, Digest.QUARTERLY: texts.REMINDER_QUARTERLY}[kind]
        title = header.format(agency=reminder.agency_name, province=reminder.province, days=self.days)
        html = await self._digest_html(reminder.agency_id, reminder.province, title, window, today)
        try:
            await context.bot.send_message(chat_id, html, reply_markup=all_keyboard(kind, today))
        except Forbidden:  # the bot was blocked or removed: stop writing to that chat
            logger.info("Chat %s no longer reachable; its reminder is dropped", chat_id)
            context.chat_data.pop(REMINDER_KEY, None)
            self.unschedule(context.job_queue, chat_id)
            return
        context.chat_data[SENT_KEY] = today.isoformat()

    async def _digest_html(self, agency_id: str, province: str, title: str, window: Window, today: dt.date) -> str:
        """Every dated task of the agency (any role, every plan of the province), cut to the window."""
        answer = await asyncio.to_thread(functools.partial(
            self.handlers.services.service.duties, agency_id, province, DutyPeriod.ALL, Role.ANY, today))
        due, overdue = split(answer, window)
        return digest_html(title, window, due, overdue, self.shown)

    async def _tell_admin_uncovered(self, context: ContextTypes.DEFAULT_TYPE, province: str, window: Window) -> None:
        """No plan of the province covers the digest's period: no digest, and the admin hears it once."""
        label = f"{province}: {window.start:%d/%m/%Y}–{window.end:%d/%m/%Y}"
        logger.info("Digest skipped for chat %s: no plan covers %s", context.job.chat_id, label)
        told: set[str] = context.bot_data.setdefault(UNCOVERED_KEY, set())
        admin = self.handlers.services.admin_chat_id
        if admin is None or province in told:
            return
        told.add(province)
        try:
            await context.bot.send_message(admin, escape(texts.DIGEST_UNCOVERED_ADMIN.format(period=label)))
        except TelegramError as exc:
            logger.warning("Could not tell the admin chat about an uncovered digest: %s", exc)

    async def board(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/bangviec: the agency's tasks due in the next days, as of the chat's day (/ngay)."""
        message = update.effective_message
        profile = Profile.load(context.user_data)
        if profile is None:
            await reply_html(message, texts.NEED_AGENCY)
            return
        today = self.handlers.today(context)
        window = self._window(None, today)
        if not window.covered_by(self.handlers.services.plans, profile.province):
            await reply_html(message, texts.BOARD_UNCOVERED.format(province=escape(profile.province),
                                                                   start=f"{window.start:%d/%m/%Y}"))
            return
        title = texts.BOARD_TITLE.format(agency=profile.agency_name, province=profile.province, days=self.days)
        html = await self._digest_html(profile.agency_id, profile.province, title, window, today)
        shown_date = reference_line(context.chat_data)
        await reply_html(message, f"<i>{escape(shown_date)}</i>\n{html}" if shown_date else html, all_keyboard(None, today))

    async def _show_all(self, update: Update, context: ContextTypes.DEFAULT_TYPE, kind: str = "", day: str = "") -> None:
        """«Xem tất cả» under a digest: the whole listing of its period, paged, as a new message."""
        source = Reminder.load(context.chat_data) if kind != "board" else Profile.load(context.user_data)
        try:
            today = dt.datetime.strptime(day, "%Y%m%d").date()
        except ValueError:
            source = None
        message = update.callback_query.message
        if not isinstance(message, Message):
            return
        if source is None:
            await reply_html(message, texts.REMINDER_NEEDS_AGENCY)
            return
        period = DutyPeriod.THIS_QUARTER if kind == Digest.QUARTERLY.value else DutyPeriod.NEXT_DAYS
        title = texts.DIGEST_ALL_TITLE.format(agency=source.agency_name, province=source.province)
        answer = await asyncio.to_thread(functools.partial(
            self.handlers.services.service.duties, source.agency_id, source.province, period, Role.ANY, today,
            f"telegram:{update.effective_chat.id}", self.days))
        html, keyboard = self.handlers.first_page(context, title, answer, today.isoformat(), title=title)
        await reply_html(message, html, keyboard)
